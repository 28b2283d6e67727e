// bench/zip-bomb: what zip bombs of several shapes cost, beside a real evidence bundle in the same run.
// Node: each zip in a fresh process, read and verified as the Worker does (portable verifier,
// VERIFY_BUNDLE_LIMITS) and by `walwarden-verify bundle` (the real bin): peak RSS (getrusage) and time.
// workerd: each zip POSTed to /v1/verify of the real Worker under wrangler's dev server (@walwarden/testing): the
// runtime workerd's peak RSS (/proc, sampled every 5 ms), time, status, and the slowest GET of the keys
// sent every 50 ms meanwhile. Run: npm run bench:zip-bomb [-- --no-workerd]
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { benchFlags, describeSource, runBench } from "@walwarden/testing/bench";
import { ROOT, removeAtCleanup, startDev, tempDir } from "@walwarden/testing/local-worker";

const { values } = benchFlags(
  { "no-workerd": { type: "boolean", default: false } },
  "usage: node bench/zip-bomb.mjs [--no-workerd]",
);
const MiB = 1024 * 1024;
const mib = (bytes) => (bytes / MiB).toFixed(1);

/** The bomb builders, the fixture bundle and the Worker's limits, from their TypeScript sources. */
async function sources(dir) {
  const out = join(dir, "sources.mjs");
  await build({
    stdin: {
      contents: `export * from "./verifier/src/test-support/zip-bombs.ts";
export { buildFixtureLog, fixtureBundle } from "./verifier/src/test-support/fixture-log.ts";
export { CHECKPOINT_SIGNER, MANIFEST_SIGNER } from "./verifier/src/test-support/keys.ts";
export { formatSignerKey, formatVkey } from "./verifier/src/index.ts";
export { VERIFY_BUNDLE_LIMITS } from "./worker/src/routes/verify-limits.ts";`,
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: out,
    logLevel: "warning",
  });
  return import(out);
}

// Reads and verifies one zip as the Worker's route does, in its own process (argv: zip, limits JSON, keys JSON).
const WORKER_LIKE = `
import { readFileSync } from "node:fs";
import * as v from ${JSON.stringify(join(ROOT, "verifier/dist/index.js"))};
const [file, limits, keys] = process.argv.slice(1);
const t = performance.now();
const zip = new Uint8Array(readFileSync(file));
const policy = v.policyFromVkeys(JSON.parse(keys)).value;
let outcome;
if (zip.length > JSON.parse(limits).maxZipBytes) outcome = "413 (body over the cap)";
else {
  const read = v.readBundle(zip, JSON.parse(limits));
  if (!read.ok && v.BUNDLE_REFUSAL_CODES?.has(read.code)) outcome = "413 " + read.code;
  else {
    const r = v.verifyReadBundle ? await v.verifyReadBundle(read, policy) : await v.verifyBundle(zip, policy);
    outcome = r.verdict + (r.failed ? " (" + r.failed + ")" : "");
  }
}
console.log(JSON.stringify({ outcome, ms: performance.now() - t, maxRss: process.resourceUsage().maxRSS * 1024 }));
`;

/** Runs node with args; its stdout, exit code, peak RSS (from a preload writing getrusage at exit) and time. */
function nodeChild(dir, args, timeoutMs = 300_000) {
  const rssFile = join(dir, `rss-${Math.random().toString(36).slice(2)}`);
  const t = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, NODE_OPTIONS: `--import=${join(dir, "max-rss.mjs")}`, WW_MAX_RSS_FILE: rssFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.resume();
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      let maxRss = Number.NaN;
      try {
        maxRss = Number(readFileSync(rssFile, "utf8")) * 1024;
      } catch {}
      done({ stdout, code: code ?? signal, maxRss, ms: performance.now() - t });
    });
  });
}

/** VmRSS of a process in bytes, from /proc. */
function rssOf(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

await runBench(async () => {
  console.log(`measuring ${describeSource()}`);
  const dir = removeAtCleanup(tempDir("walwarden-zip-bomb-"));
  writeFileSync(
    join(dir, "max-rss.mjs"),
    `import { writeFileSync } from "node:fs";\nprocess.on("exit", () => writeFileSync(process.env.WW_MAX_RSS_FILE, String(process.resourceUsage().maxRSS)));\n`,
  );
  const s = await sources(dir);
  const keys = [
    s.formatVkey(s.CHECKPOINT_SIGNER.name, s.CHECKPOINT_SIGNER.publicKey),
    s.formatVkey(s.MANIFEST_SIGNER.name, s.MANIFEST_SIGNER.publicKey),
  ];
  const big = 1500 * MiB;
  const cases = [
    ["baseline: a real bundle (1,000 entries)", () => s.fixtureBundle(s.buildFixtureLog(1000, 1), 0, 1000)],
    ["one file of 1,500 MiB of zeros (the issue's 1.5 MB zip)", () => s.oneHugeEntry(big)],
    ["one file of 16 MiB of zeros (ratio ~1,000)", () => s.oneHugeEntry(16 * MiB)],
    ["declares 1,000 bytes, inflates 1,500 MiB", () => s.lyingSizes(big, 1000)],
    ["2,000 files of 1 MiB each", () => s.manyEntries(2000, MiB)],
    ["1,500 overlapping files, one 1 MiB kernel", () => s.overlappingEntries(1500, MiB)],
    ["60,001 empty files", () => s.manyEmptyFiles(60_001)],
    ["a zip of 1,500 MiB inside the zip", () => s.nestedZip(big)],
    ["a 20 MiB zip (over the endpoint's 16 MiB)", () => s.rawZip([stored(20 * MiB)])],
  ].map(([name, make], i) => {
    const zip = make();
    const file = join(dir, `case-${i}.zip`);
    writeFileSync(file, zip);
    return { name, file, zip, bytes: zip.length };
  });

  const rows = [];
  for (const c of cases) {
    const w = await nodeChild(dir, [
      "--input-type=module",
      "-e",
      WORKER_LIKE,
      c.file,
      JSON.stringify(s.VERIFY_BUNDLE_LIMITS),
      JSON.stringify(keys),
    ]);
    const worker = JSON.parse(w.stdout.trim().split("\n").at(-1) || '{"outcome":"(no answer: killed?)"}');
    const cli = await nodeChild(dir, [
      join(ROOT, "verifier/bin/walwarden-verify.js"),
      "bundle",
      c.file,
      ...keys.flatMap((k) => ["--key", k]),
    ]);
    const cliOutcome = cli.stdout.match(/(NOT VERIFIED.*|VERIFIED)/)?.[1] ?? `exit ${cli.code}`;
    const detail = cli.stdout.match(/FAIL {2}Bundle is a readable zip: ([a-z0-9-]+)/)?.[1];
    rows.push({
      c,
      worker: { ...worker, maxRss: w.maxRss, ms: w.ms },
      cli: { outcome: detail ?? cliOutcome, maxRss: cli.maxRss, ms: cli.ms },
    });
  }
  console.log(
    "\nNode, one fresh process per zip (peak RSS includes Node and the verifier, ~76 MiB; ms: reading and verifying in the process, and the CLI's whole run):",
  );
  console.log(
    "| zip | bytes | as the Worker reads it: outcome | peak RSS MiB | ms | walwarden-verify: outcome | peak RSS MiB | ms |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const { c, worker, cli } of rows)
    console.log(
      `| ${c.name} | ${c.bytes.toLocaleString()} | ${worker.outcome} | ${mib(worker.maxRss)} | ${worker.ms.toFixed(0)} | ${cli.outcome} | ${mib(cli.maxRss)} | ${cli.ms.toFixed(0)} |`,
    );

  if (values["no-workerd"]) return;
  const envFile = join(dir, "keys.env");
  writeFileSync(
    envFile,
    `CHECKPOINT_SIGNER_KEY=${s.formatSignerKey(s.CHECKPOINT_SIGNER)}\nMANIFEST_SIGNER_KEY=${s.formatSignerKey(s.MANIFEST_SIGNER)}\nBUCKET_CREDENTIALS_KEY=${Buffer.alloc(32, 3).toString("base64")}\n`,
    { mode: 0o600 },
  );
  const dev = await startDev({
    persist: join(dir, "persist"),
    envFile,
    vars: { VERIFY_RATE_LIMIT_PER_MINUTE: "100000", LOG_ORIGIN: "test.walwarden.dev/log" },
    apiOnly: true,
  });
  const runtime = dev.workerds().find((w) => w.role === "runtime").pid;
  // The bombs first, on a fresh runtime (workerd's RSS seldom shrinks), the real bundle last.
  console.log(`\nworkerd under wrangler's dev server (runtime pid ${runtime}), in this order:`);
  console.log(
    "| zip | status | answer | ms | workerd RSS before MiB | peak MiB | slowest GET /.well-known meanwhile ms |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const c of [...cases.slice(1), cases[0]]) {
    const before = rssOf(runtime);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(runtime))), 5);
    let slowest = 0;
    let busy = true;
    const probes = (async () => {
      while (busy) {
        const t = performance.now();
        await fetch(`${dev.url}/.well-known/walwarden/keys`).then((r) => r.arrayBuffer());
        slowest = Math.max(slowest, performance.now() - t);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t = performance.now();
    const res = await fetch(`${dev.url}/v1/verify`, {
      method: "POST",
      headers: { "content-type": "application/zip" },
      body: c.zip,
    });
    const body = await res.json();
    const ms = performance.now() - t;
    busy = false;
    await probes;
    clearInterval(sampler);
    const answer =
      res.status === 200 ? body.verdict + (body.failed ? ` (${body.failed})` : "") : body.error.message.split(":")[0];
    console.log(
      `| ${c.name} | ${res.status} | ${answer} | ${ms.toFixed(0)} | ${mib(before)} | ${mib(peak)} | ${slowest.toFixed(0)} |`,
    );
  }
  dev.assertNoReload();
});

/** A stored file of `bytes` pseudo-random bytes (does not compress). */
function stored(bytes) {
  const data = new Uint8Array(bytes);
  for (let i = 0, x = 1; i < bytes; i++) data[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return { name: "log/entries.jsonl", method: 0, data, size: bytes };
}
