// bench/web-weight: what each main dashboard screen costs a browser on a cold load — bytes transferred
// (as Chromium's network events count them: compressed when the server compresses, headers included) and
// first contentful paint — against the sign-in page measured in the same run (ratios). The dashboard is
// built from the working tree into a directory of this run (never web/dist, which running tests serve) and
// served by the real Worker under wrangler's dev server; a synthetic org is seeded through the real API.
// Procedure, checks and caveats: docs/benchmarks.md#web-weight.
// Run: npm run bench:web-weight [-- --runs N --json FILE]
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import {
  SYNTHETIC_ARTIFACT_SHA256,
  apiCall,
  bootstrapOrg,
  claimJob,
  completeJob,
  createDatabase,
  createRunnerToken,
  issueRestore,
  putBucketCredential,
  requestBackup,
  syntheticBackupResult,
} from "@walwarden/testing/api";
import { benchFlags, runBench, startTreeCpu } from "@walwarden/testing/bench";
import {
  ROOT,
  ROOT_CONFIG,
  applyMigrations,
  startDev,
  tempDir,
  writeKeysEnvFile,
} from "@walwarden/testing/local-worker";
import { liveProcesses } from "@walwarden/testing/proc";

const HELP = `usage: npm run bench:web-weight [-- options]
  --runs N     rounds of cold loads of every screen (default 5): bytes from the last, FCP the median
  --json FILE  also write the results JSON (always printed as the last line) to FILE
  -h, --help   this text`;
const { values, intFlag } = benchFlags({ runs: { type: "string", default: "5" }, json: { type: "string" } }, HELP);
const RUNS = intFlag("runs", 1, 50);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };

const kib = (b) => (b / 1024).toFixed(1);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The commit, and any uncommitted change under web/ and verifier/src (what the build includes). */
function source() {
  try {
    const git = (...a) => execFileSync("git", a, { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = git(
      "status",
      "--porcelain",
      "--",
      "web/src",
      "web/build.mjs",
      "verifier/src",
      "verifier/package.json",
    );
    return `commit ${git("rev-parse", "--short", "HEAD")}${dirty ? ` with uncommitted changes:\n${dirty}` : " (web/ and verifier/ as committed)"}`;
  } catch {
    return "not a git checkout";
  }
}

/** Builds the dashboard from the working tree into `out` (web/build.mjs with WEB_BUILD_OUTDIR); lists what it wrote. */
function buildDashboard(out) {
  execFileSync(process.execPath, [join(ROOT, "web/build.mjs")], {
    env: { ...process.env, WEB_BUILD_OUTDIR: out },
    stdio: "pipe",
  });
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else files.push({ path: p.slice(out.length), bytes: statSync(p).size, gzip: gzipSync(readFileSync(p)).length });
    }
  };
  walk(out);
  return files;
}

/** The root wrangler.toml with its paths made absolute and its assets served from `dist`, written into `dir`. */
function configServing(dist, dir) {
  const base = dirname(ROOT_CONFIG);
  const text = readFileSync(ROOT_CONFIG, "utf8")
    .replace(/^(main|migrations_dir)\s*=\s*"([^"]+)"/gm, (_m, k, v) => `${k} = ${JSON.stringify(resolve(base, v))}`)
    .replace(/^directory\s*=\s*"[^"]+"/m, `directory = ${JSON.stringify(dist)}`);
  const path = join(dir, "wrangler.web-weight.toml");
  writeFileSync(path, text);
  return path;
}

/** An org with three databases, backups made through the runner protocol, a restore issued and an evidence export. */
async function seed(dev) {
  const { cookie, org } = await bootstrapOrg(dev, ADMIN);
  const runner = await createRunnerToken(dev, cookie, "bench runner");
  const dbs = [];
  for (const name of ["shop", "billing", "analytics"]) {
    const db = await createDatabase(dev, cookie, name, "neon");
    await apiCall(dev, "POST", "/v1/schedules", {
      cookie,
      body: { databaseId: db.id, cron: "0 3 * * *", timezone: "UTC", targetRpoMinutes: 60 },
    });
    dbs.push(db.id);
  }
  const backups = [];
  for (let n = 1; n <= 6; n++) {
    const databaseId = dbs[n % 2];
    const { jobId, backupId } = await requestBackup(dev, cookie, databaseId);
    const { job } = await claimJob(dev, runner.token, { databases: [databaseId] });
    if (!job || job.jobId !== jobId) throw new Error(`claimed ${JSON.stringify(job)}, not ${jobId}`);
    const completedAt = new Date(Date.now() - (7 - n) * 3_600_000);
    await completeJob(dev, runner.token, jobId, {
      leaseId: job.leaseId,
      artifactSha256: SYNTHETIC_ARTIFACT_SHA256,
      result: syntheticBackupResult(runner.id, {
        startedAt: new Date(completedAt.getTime() - 20_000 * n).toISOString(),
        completedAt: completedAt.toISOString(),
        sizeBytes: 50_000_000 + n * 7_000_000,
        s3: {
          bucket: "acme-backups",
          key: `walwarden/${databaseId}/${backupId}.dump.zst`,
          versionId: null,
          etag: '"9b2cf535f27731c974343645a3985328-3"',
          objectLock: null,
        },
      }),
    });
    backups.push(backupId);
  }
  await putBucketCredential(dev, cookie, "acme-backups", {
    endpoint: "http://127.0.0.1:9",
    region: "us-east-1",
    forcePathStyle: true,
    accessKeyId: "BENCHREADONLY",
    secretAccessKey: "bench-read-only-secret-0123456789",
  });
  const restore = await issueRestore(dev, cookie, backups.at(-1));
  const now = new Date();
  const res = await fetch(`${dev.url}/v1/evidence`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify({ from: new Date(now.getTime() - 86_400_000).toISOString(), to: now.toISOString() }),
  });
  if (!res.ok) throw new Error(`POST /v1/evidence: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  return { cookie, orgId: org.id, databaseId: dbs[0], backupId: backups.at(-1), restoreId: restore.restoreId };
}

/**
 * One cold load of `path` in a fresh context (empty cache; the session cookie when signed in): every
 * response's transferred bytes (Network.loadingFinished's encodedDataLength: body as sent plus headers),
 * split into the dashboard's files and the API's answers, first contentful paint, and when `ready` is visible.
 */
async function load(browser, base, path, { cookie, ready }) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, baseURL: base });
  if (cookie) {
    const [name, value] = cookie.split(/=(.*)/s);
    await context.addCookies([{ name, value, url: base }]);
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const requests = new Map();
  cdp.on("Network.responseReceived", (e) => {
    const r = requests.get(e.requestId) ?? {};
    const encoding = Object.entries(e.response.headers).find(([k]) => k.toLowerCase() === "content-encoding")?.[1];
    requests.set(e.requestId, { ...r, url: e.response.url, status: e.response.status, encoding: encoding ?? null });
  });
  cdp.on("Network.loadingFinished", (e) => {
    const r = requests.get(e.requestId) ?? {};
    requests.set(e.requestId, { ...r, bytes: e.encodedDataLength });
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(path);
  await page.locator(ready).first().waitFor({ timeout: 60_000 });
  const readyMs = await page.evaluate(() => performance.now());
  await page.waitForLoadState("networkidle");
  const fcp = await page.evaluate(
    () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Number.NaN,
  );
  await context.close();
  if (errors.length) throw new Error(`${path}: script errors: ${errors.join("; ")}`);
  const done = [...requests.values()].filter((r) => r.bytes !== undefined && r.url);
  const sum = (rs) => rs.reduce((a, r) => a + r.bytes, 0);
  const isApi = (r) =>
    new URL(r.url).pathname.startsWith("/v1/") || new URL(r.url).pathname.startsWith("/.well-known/");
  const assets = done.filter((r) => !isApi(r));
  return {
    bytes: sum(done),
    assetBytes: sum(assets),
    apiBytes: sum(done.filter(isApi)),
    requests: done.length,
    scripts: assets.filter((r) => r.url.endsWith(".js")).map((r) => new URL(r.url).pathname),
    encodings: [...new Set(assets.map((r) => r.encoding ?? "identity"))],
    fcp,
    readyMs,
  };
}

async function main() {
  console.log(`web-weight: measuring ${source()}`);
  const dir = tempDir("ww-web-weight-");
  const dist = join(dir, "dist");
  const files = buildDashboard(dist);
  const maps = files.filter((f) => f.path.endsWith(".map"));
  const js = files.filter((f) => f.path.endsWith(".js"));
  console.log(
    `built ${files.length} files into ${dist}: ${js.length} scripts, ${kib(js.reduce((a, f) => a + f.bytes, 0))} KiB of script (${kib(js.reduce((a, f) => a + f.gzip, 0))} KiB gzipped), ${maps.length} source maps`,
  );
  for (const f of js.sort((a, b) => b.bytes - a.bytes))
    console.log(`  ${f.path}  ${kib(f.bytes)} KiB (gzip ${kib(f.gzip)})`);
  if (maps.length) throw new Error(`the production build wrote source maps: ${maps.map((m) => m.path).join(", ")}`);

  const persist = join(dir, "persist");
  mkdirSync(persist, { recursive: true });
  const envFile = writeKeysEnvFile(persist);
  const config = configServing(dist, dir);
  await applyMigrations(persist, { config });
  const dev = await startDev({ persist, envFile, config });
  const s = await seed(dev);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  try {
    const signedIn = { cookie: s.cookie, ready: "main h1" };
    const screens = [
      { name: "sign-in (baseline)", path: "/", opts: { ready: "button:has-text('Sign in')" } },
      { name: "databases", path: "/databases", opts: signedIn },
      { name: "a database", path: `/databases/${s.databaseId}`, opts: { ...signedIn, ready: ".chart canvas" } },
      { name: "a backup", path: `/backups/${s.backupId}`, opts: signedIn },
      { name: "audit log", path: "/log", opts: { ...signedIn, ready: "table.log tr[data-seq]" } },
      { name: "restores", path: "/restores", opts: signedIn },
      { name: "a restore", path: `/restores/${s.restoreId}`, opts: signedIn },
      { name: "runners", path: "/runners", opts: signedIn },
      { name: "alerts", path: "/alerts", opts: signedIn },
      { name: "evidence", path: "/evidence", opts: signedIn },
    ];
    // Warm-up loads, not measured: the Worker's first requests compile and open its storage.
    for (const sc of screens) await load(browser, dev.url, sc.path, sc.opts);
    // Round after round of every screen, so that a slow moment (another process on the machine) falls on
    // all of them alike rather than on one screen's runs.
    const runs = screens.map(() => []);
    // CPU meanwhile: the Worker (wrangler, workerd) and Chromium (this process's children) and the rest.
    const ours = Object.fromEntries(
      liveProcesses()
        .filter((p) => p.ppid === process.pid)
        .map((p) => [`child ${p.pid}`, p.pid]),
    );
    const cpu = startTreeCpu(ours);
    for (let i = 0; i < RUNS; i++)
      for (const [n, sc] of screens.entries()) runs[n].push(await load(browser, dev.url, sc.path, sc.opts));
    const used = cpu.stop();
    const cores = os.availableParallelism();
    const busyElsewhere = used.otherMs / (cores * used.wallMs);
    const results = screens.map((sc, n) => ({
      screen: sc.name,
      path: sc.path,
      ...runs[n].at(-1),
      fcp: median(runs[n].map((r) => r.fcp)),
      readyMs: median(runs[n].map((r) => r.readyMs)),
    }));
    const base = results[0];
    console.log(
      `\nCPU over the measured rounds (${(used.wallMs / 1000).toFixed(1)} s, ${cores} cores): the Worker, Chromium and this bench ${Math.round(used.oursMs)} ms, other processes on the machine ${Math.round(used.otherMs)} ms (${(100 * busyElsewhere).toFixed(0)}% of the machine)`,
    );
    if (busyElsewhere > 0.2)
      console.log(
        "WARNING: other processes took more than a fifth of the machine: the times (FCP, ready) say as much about them as about the dashboard; the bytes do not depend on it",
      );
    console.log(
      `\n${RUNS} cold load(s) per screen at 1366×900 (cache disabled); bytes transferred as Chromium counts them (${[...new Set(results.flatMap((r) => r.encodings))].join(", ")} from the dev server), FCP and ready are medians`,
    );
    const head = [
      "screen",
      "requests",
      "KiB total",
      "of it assets",
      "API",
      "× sign-in",
      "FCP ms",
      "× sign-in",
      "ready ms",
      "verifier chunk",
    ];
    const rows = results.map((r) => [
      r.screen,
      String(r.requests),
      kib(r.bytes),
      kib(r.assetBytes),
      kib(r.apiBytes),
      (r.bytes / base.bytes).toFixed(2),
      r.fcp.toFixed(0),
      (r.fcp / base.fcp).toFixed(2),
      r.readyMs.toFixed(0),
      r.scripts.some((p) => /chunks\/chunk-/.test(p) && files.find((f) => f.path === p)?.bytes > 200_000)
        ? "loaded"
        : "—",
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [head, ...rows])
      console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
    const json = JSON.stringify({
      runs: RUNS,
      cpu: {
        wallMs: Math.round(used.wallMs),
        oursMs: Math.round(used.oursMs),
        otherMs: Math.round(used.otherMs),
        cores,
      },
      build: { files: files.length, scriptBytes: js.reduce((a, f) => a + f.bytes, 0), sourceMaps: maps.length },
      results: results.map((r) => ({
        screen: r.screen,
        path: r.path,
        requests: r.requests,
        bytes: r.bytes,
        assetBytes: r.assetBytes,
        apiBytes: r.apiBytes,
        bytesRatio: +(r.bytes / base.bytes).toFixed(3),
        fcpMs: +r.fcp.toFixed(1),
        fcpRatio: +(r.fcp / base.fcp).toFixed(3),
        readyMs: +r.readyMs.toFixed(1),
        scripts: r.scripts,
      })),
    });
    if (values.json) writeFileSync(values.json, json);
    console.log(json);
  } finally {
    await browser.close();
  }
}

await runBench(main);
