#!/usr/bin/env node
// The quick start: the whole product on this machine, on the embedded local default. It starts the Worker
// under wrangler's dev server (local D1 and Durable Objects, the dashboard on the same origin), a local S3
// server (s3rver, SigV4-checking), a throwaway PostgreSQL with sample data, and a real walwarden-runner;
// creates an org, a database with a schedule and a backup; restores it into a second database with the
// walwarden CLI; exports an evidence bundle and verifies it offline with walwarden-verify; prints what
// happened, the dashboard URL and the sign-in; and keeps running (the runner polls, a local cron ticks every
// minute) until Ctrl-C. With --once it exits after the flow (CI runs it so).
// Writes demo-output/evidence.zip and demo-output/keys.txt (the published vkeys, one per line).
//   npm run demo [-- --once] [-- --port 8787] [-- --mb 20] [-- --out DIR]
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  apiCall,
  bootstrapOrg,
  createDatabase,
  createRunnerToken,
  issueRestore,
  publishedKeys,
  putBucketCredential,
  requestBackup,
  getJob,
} from "@walwarden/testing/api";
import { describePolicy } from "@walwarden/verifier";
import { ROOT, applyMigrations, cleanup, startDev, writeKeysEnvFile } from "@walwarden/testing/local-worker";
import { pgBinDirs, startCluster, stopAllClusters } from "@walwarden/testing/postgres";
import { startS3 } from "@walwarden/testing/s3";
import { loadRealisticData } from "@walwarden/testing/sample-data";

const BUCKET = "walwarden-demo";
const EMAIL = "admin@demo.walwarden.local";
const PASSWORD = "walwarden-demo-password";

const USAGE = `usage: npm run demo [-- --once] [-- --port N] [-- --mb N] [-- --out DIR]
  --once     exit after the flow instead of running until Ctrl-C
  --out DIR  where evidence.zip, keys.txt and the state go (default demo-output/, emptied first)
  --port N   serve the API and the dashboard on 127.0.0.1:N (default 8787)
  --mb N     size of the sample database in MiB (default 20)`;

/** Prints a line of the story. */
const say = (s = "") => process.stdout.write(`${s}\n`);
/** Ends with a message that says how to fix it (exit 2: a missing prerequisite or a bad flag). */
function refuse(message) {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(2);
}

let flags;
try {
  flags = parseArgs({
    options: {
      once: { type: "boolean", default: false },
      port: { type: "string", default: "8787" },
      mb: { type: "string", default: "20" },
      out: { type: "string", default: join(ROOT, "demo-output") },
      help: { type: "boolean", short: "h" },
    },
  }).values;
} catch (e) {
  refuse(`${e.message}\n${USAGE}`);
}
if (flags.help) {
  say(USAGE);
  process.exit(0);
}
const port = Number(flags.port);
const mb = Number(flags.mb);
if (!Number.isInteger(port) || port < 1 || port > 65535)
  refuse(`--port ${JSON.stringify(flags.port)} is not a TCP port`);
if (!Number.isInteger(mb) || mb < 10 || mb > 10_000)
  refuse(
    `--mb ${JSON.stringify(flags.mb)} is not a size in MiB from 10 to 10000 (an empty database already takes about 8 MiB)`,
  );
const OUT = resolve(flags.out);

/** Checks what the demo needs that npm does not install, and says how to get each. */
async function checkPrerequisites() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 12))
    refuse(`Node.js ${process.versions.node} is too old: install Node.js 20.12 or newer`);
  if (pgBinDirs().length === 0)
    refuse(
      "PostgreSQL server binaries were not found under /usr/lib/postgresql/<major>/bin: install them with `sudo apt-get install postgresql` (Debian/Ubuntu; the demo starts its own throwaway cluster, nothing is configured system-wide)",
    );
  for (const [tool, pkg] of [["zstd", "zstd"]]) {
    const ok = await new Promise((done) =>
      spawn(tool, ["--version"], { stdio: "ignore" })
        .on("error", () => done(false))
        .on("exit", (c) => done(c === 0)),
    );
    if (!ok) refuse(`${tool} was not found on PATH: install it with \`sudo apt-get install ${pkg}\``);
  }
  const free = await new Promise((done) => {
    const probe = createServer()
      .once("error", () => done(false))
      .once("listening", () => probe.close(() => done(true)));
    probe.listen(port, "127.0.0.1");
  });
  if (!free)
    refuse(
      `port ${port} on 127.0.0.1 is in use (another \`npm run demo\` or \`npm run dev\`?): stop it, or pass another port with \`npm run demo -- --port 8788\``,
    );
}

/** Runs a program of this repository to the end; its output is returned, and shown if it fails. */
function run(bin, args, env = {}) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, bin), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** Waits until a job has finished; its final state. */
async function jobDone(dev, cookie, jobId, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(dev, cookie, jobId);
    if (job.status === "succeeded" || job.status === "failed") return job;
    if (Date.now() > deadline)
      throw new Error(`backup job ${jobId} did not finish within ${timeoutMs / 1000} s (status ${job.status})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

let runner;
let cronTimer;
let s3;
async function stopEverything() {
  clearInterval(cronTimer);
  await s3?.stop().catch(() => undefined);
  if (runner && runner.exitCode === null) {
    runner.kill("SIGTERM");
    await new Promise((r) => runner.once("close", r));
  }
  await stopAllClusters();
  await cleanup();
}
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    say("\nstopping: runner, PostgreSQL, S3 and the Worker…");
    await stopEverything();
    process.exit(0);
  });
}

async function main() {
  await checkPrerequisites();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const state = join(OUT, "state");
  const persist = join(state, "wrangler");
  mkdirSync(persist, { recursive: true });
  const config = join(ROOT, "wrangler.toml");
  const envFile = writeKeysEnvFile(state);

  say("Starting the Worker (wrangler dev: local D1 and Durable Objects), a local S3 server and PostgreSQL…");
  await applyMigrations(persist, { config });
  let dev, pg;
  [dev, s3, pg] = await Promise.all([
    startDev({ persist, envFile, config, port }),
    startS3({ bucket: BUCKET }),
    startCluster({ name: "demo" }),
  ]);
  say(`  Worker      ${dev.url}`);
  say(`  S3          ${s3.endpoint} (bucket ${BUCKET})`);
  say(`  PostgreSQL  ${pg.version} on 127.0.0.1:${pg.port}`);

  say(`Loading ${mb} MiB of sample shop data into database "shop"…`);
  await pg.createDatabase("shop");
  await loadRealisticData(pg, "shop", mb);

  const { cookie } = await bootstrapOrg(dev, { orgName: "Demo org", email: EMAIL, password: PASSWORD });
  const me = await apiCall(dev, "GET", "/v1/auth/me", { cookie });
  const orgId = me.principal.orgId;
  const database = await createDatabase(dev, cookie, "shop", "self-hosted");
  const schedule = await apiCall(dev, "POST", "/v1/schedules", {
    cookie,
    body: { databaseId: database.id, cron: "*/15 * * * *", timezone: "UTC", targetRpoMinutes: 60 },
  });
  // Which backups are kept is the database's retention policy (verifier/SPEC.md §12), not the schedule's.
  const retention = await apiCall(dev, "PUT", `/v1/databases/${database.id}/retention-policy`, {
    cookie,
    body: { daily: 7, weekly: 4, monthly: 12, minAgeDays: 30 },
  });
  const runnerToken = await createRunnerToken(dev, cookie, "demo runner");
  const keys = await publishedKeys(dev);
  writeFileSync(join(OUT, "keys.txt"), `${[...keys.checkpoint, ...keys.manifest].join("\n")}\n`);
  say(
    `Created org ${orgId}, database ${database.id} with schedule ${schedule.id} (every 15 min, target RPO 60 min), retention ${describePolicy(retention.policy)} (new objects locked ${retention.lockDays} days when Object Lock is on) and a runner.`,
  );

  const runnerConfig = join(state, "runner.json");
  writeFileSync(
    runnerConfig,
    JSON.stringify({
      api: dev.url,
      token: runnerToken.token,
      databases: { [database.id]: { url: pg.url("shop") } },
      bucket: {
        bucket: BUCKET,
        region: s3.region,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        prefix: "walwarden",
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      },
      pollSeconds: 2,
      healthPort: -1,
      stateDir: join(state, "runner"),
    }),
    { mode: 0o600 },
  );
  runner = spawn(process.execPath, [join(ROOT, "runner/bin/walwarden-runner.js"), "run", "--config", runnerConfig], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let runnerLog = "";
  runner.stdout.on("data", (d) => (runnerLog = (runnerLog + d).slice(-20_000)));
  runner.stderr.on("data", (d) => (runnerLog = (runnerLog + d).slice(-20_000)));
  // wrangler's dev server does not fire cron triggers: tick the scheduler every minute, as Cloudflare would
  // (/__scheduled runs the Worker's scheduled handler now; it reaches the Worker past the dashboard's assets).
  cronTimer = setInterval(
    () =>
      fetch(`${dev.url}/__scheduled?cron=*+*+*+*+*`)
        .then((r) => r.text())
        .catch(() => undefined),
    60_000,
  );

  say("Backing up: the runner claims the job, streams pg_dump → zstd → SHA-256 → S3, the Worker signs the manifest…");
  const { jobId, backupId } = await requestBackup(dev, cookie, database.id);
  const job = await jobDone(dev, cookie, jobId);
  if (job.status !== "succeeded") throw new Error(`the backup failed: ${job.lastError}\n${runnerLog}`);
  const backup = await apiCall(dev, "GET", `/v1/backups/${backupId}`, { cookie });
  say(`  backup ${backupId}: ${(backup.sizeBytes / 1048576).toFixed(1)} MiB at ${backup.artifactUri}`);
  say(`  sha256 ${backup.sha256}, logged at seq ${backup.logSeq}`);

  say('Restoring it into a second database, "shop_restored", with the walwarden CLI…');
  await putBucketCredential(dev, cookie, BUCKET, {
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  });
  await pg.createDatabase("shop_restored");
  const restore = await issueRestore(dev, cookie, backupId);
  const cli = await run(
    "cli/bin/walwarden.js",
    [
      "restore",
      "--api",
      dev.url,
      "--org",
      orgId,
      "--token",
      restore.token,
      "--target",
      pg.url("shop_restored"),
      ...[...keys.checkpoint, ...keys.manifest].flatMap((k) => ["--key", k]),
      "--json",
    ],
    {
      WALWARDEN_CONFIG_DIR: join(state, "cli-config"),
    },
  );
  if (cli.code !== 0) throw new Error(`the restore failed (exit ${cli.code}):\n${cli.stdout}${cli.stderr}`);
  const summary = JSON.parse(cli.stdout);
  say(
    `  restore ${restore.restoreId}: completed in ${(summary.durationsMs.total / 1000).toFixed(1)} s; ${summary.rows.toLocaleString("en-US")} rows in ${summary.tables.length} tables match the manifest`,
  );

  say("Exporting an evidence bundle and verifying it offline…");
  const to = new Date(Date.now() + 1000).toISOString();
  const from = new Date(Date.now() - 3600_000).toISOString();
  const res = await fetch(`${dev.url}/v1/evidence`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify({ from, to }),
  });
  if (!res.ok) throw new Error(`evidence export failed: ${res.status} ${await res.text()}`);
  const zipPath = join(OUT, "evidence.zip");
  writeFileSync(zipPath, new Uint8Array(await res.arrayBuffer()));
  const verified = await run("verifier/bin/walwarden-verify.js", [
    "bundle",
    zipPath,
    ...[...keys.checkpoint, ...keys.manifest].flatMap((k) => ["--key", k]),
  ]);
  if (verified.code !== 0) throw new Error(`the evidence bundle did not verify:\n${verified.stdout}${verified.stderr}`);
  say(`  ${zipPath}: ${verified.stdout.trim().split("\n").at(-1)}`);

  say("");
  say("Done. What happened is in the org's audit log; everything above was signed and logged.");
  say(`  Dashboard   ${dev.url}/   sign in as ${EMAIL} / ${PASSWORD}`);
  say(
    `  Keys        ${join(OUT, "keys.txt")} (pin these; verify with: npx walwarden-verify bundle ${zipPath} $(sed 's/^/--key /' ${join(OUT, "keys.txt")} | tr '\\n' ' '))`,
  );
  say(`  Evidence    ${zipPath}`);
  if (flags.once) {
    await stopEverything();
    process.exit(0);
  }
  say("Running until Ctrl-C: the runner polls for jobs and the scheduler ticks every minute.");
  await new Promise(() => undefined);
}

main().catch(async (e) => {
  process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
  await stopEverything().catch(() => undefined);
  process.exit(1);
});
