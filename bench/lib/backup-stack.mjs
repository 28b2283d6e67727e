// Shared by bench/backup.mjs and bench/restore.mjs: the real parts a backup runs against (the repository's
// wrangler.toml under wrangler's dev server with local D1 and Durable Objects, s3rver on loopback in this
// process, a throwaway PostgreSQL 15 cluster), an org with a runner token and one database, the runner's
// config file, and one backup made by the real `walwarden-runner run --once`. Linux only (as its parts).
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseVkey } from "@walwarden/verifier";
import { ROOT, applyMigrations, startDev, tail, writeKeysEnvFile } from "./local-worker.mjs";
import { startCluster, stopAllClusters } from "./postgres.mjs";
import { startS3 } from "./s3.mjs";
import { bootstrapOrg, createDatabase, createRunnerToken, getJob, requestBackup } from "./walwarden-api.mjs";

export const RUNNER_BIN = join(ROOT, "runner/bin/walwarden-runner.js");

/**
 * Runs a command to its end (cwd: the repository), its output collected; `exit` resolves with
 * { code, signal, stdout, stderr } (SIGKILL after `timeoutMs`: only the child we started, by its pid), and
 * rejects only if it cannot be started. `child` is there at once, for samplers.
 * @param {string} file
 * @param {string[]} args
 * @param {{ timeoutMs: number, env?: NodeJS.ProcessEnv, cwd?: string }} options
 */
export function spawnChecked(file, args, { timeoutMs, env, cwd = ROOT }) {
  const child = spawn(file, args, { cwd, stdio: ["ignore", "pipe", "pipe"], ...(env ? { env } : {}) });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (s) => (out += s));
  child.stderr.setEncoding("utf8").on("data", (s) => (err += s));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const exit = new Promise((resolve, reject) => {
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${file}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  return { child, exit, stdout: () => out };
}

/** The JSON lines of a program's output ({} for a line that starts with { but does not parse). */
export function jsonLines(text) {
  return text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return {};
      }
    });
}

/**
 * Applies the migrations to a fresh local D1 in `dir`, starts the Worker (wrangler.toml, fresh signing
 * keys), s3rver with `bucket` and a PostgreSQL 15 cluster at once; creates the org, a runner token,
 * database `dbName` on the cluster (empty) and in the Worker, and the runner's config file
 * (`<dir>/runner.json`, the database's superuser URL, the bucket's s3rver credentials). stop() stops
 * s3rver and the clusters; the Worker stops with runBench's cleanup.
 * @param {{ dir: string, bucket: string, dbName: string, clusterName: string }} options
 */
export async function startBackupStack({ dir, bucket, dbName, clusterName }) {
  const persist = join(dir, "state");
  const envFile = writeKeysEnvFile(dir);
  const config = join(ROOT, "wrangler.toml");
  await applyMigrations(persist, { config });
  const started = await Promise.allSettled([
    startDev({ persist, envFile, config, apiOnly: true }),
    startS3({ bucket }),
    startCluster({ name: clusterName }),
  ]);
  const [devR, s3R, pgR] = started;
  const stop = async () => {
    if (s3R.status === "fulfilled") await s3R.value.stop();
    await stopAllClusters();
  };
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const dev = devR.value;
  const s3 = s3R.value;
  const pg = pgR.value;
  try {
    if (pg.major !== 15) throw new Error(`expected PostgreSQL 15, the newest installed server is ${pg.version}`);
    const { cookie } = await bootstrapOrg(dev);
    const runner = await createRunnerToken(dev, cookie, "bench runner");
    await pg.createDatabase(dbName);
    const databaseId = (await createDatabase(dev, cookie, dbName, "self-hosted")).id;
    const manifestKeys = dev.keys.manifest.map((v) => {
      const k = parseVkey(v);
      if (!k.ok) throw new Error(`published manifest key does not parse: ${k.message}`);
      return { name: k.value.name, publicKey: k.value.publicKey };
    });
    const configPath = join(dir, "runner.json");
    writeFileSync(
      configPath,
      JSON.stringify({
        api: dev.url,
        token: runner.token,
        databases: { [databaseId]: { url: pg.url(dbName) } },
        bucket: {
          bucket,
          region: s3.region,
          endpoint: s3.endpoint,
          forcePathStyle: true,
          prefix: "walwarden",
          accessKeyId: s3.accessKeyId,
          secretAccessKey: s3.secretAccessKey,
        },
        pollSeconds: 1,
        heartbeatSeconds: 5,
        healthPort: -1,
        stateDir: join(dir, "runner-state"),
      }),
      { mode: 0o600 },
    );
    return { dev, s3, pg, cookie, runner, databaseId, configPath, manifestKeys, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * One backup by the real runner: POST /v1/databases/:id/backups, then `walwarden-runner run --once --config
 * <configPath>` as a child process. `onSpawn(child, stdout)` runs as soon as the runner is started (a
 * sampler) and may return a function, called as soon as it has exited. Throws, with the runner's output,
 * unless it exits 0 with a backup.completed line and the job succeeded. Returns the job, the runner's log
 * lines (started: backup.started, done: backup.completed), the process's wall time and what onSpawn's
 * function returned.
 * @param {{ dev: { url: string }, cookie: string, databaseId: string, configPath: string }} ctx
 * @param {{ timeoutMs: number, onSpawn?: (child: import("node:child_process").ChildProcess, stdout: () => string) => (undefined | (() => any)) }} options
 */
export async function runnerBackup(ctx, { timeoutMs, onSpawn }) {
  const { jobId, backupId } = await requestBackup(ctx.dev, ctx.cookie, ctx.databaseId);
  const t0 = performance.now();
  const { child, exit, stdout } = spawnChecked(RUNNER_BIN, ["run", "--once", "--config", ctx.configPath], {
    timeoutMs,
    env: { ...process.env },
  });
  const atExit = onSpawn?.(child, stdout);
  const r = await exit;
  const processSeconds = (performance.now() - t0) / 1000;
  const measured = atExit?.();
  const lines = jsonLines(r.stdout);
  const job = await getJob(ctx.dev, ctx.cookie, jobId);
  const done = lines.find((l) => l.event === "backup.completed");
  if (r.code !== 0 || !done || job.status !== "succeeded") {
    const failed = lines.find((l) => l.event === "backup.failed");
    throw new Error(
      `the backup failed: runner exit ${r.signal ?? r.code}, job ${job.status}${job.lastError ? ` (${job.lastError})` : ""}${failed ? `, ${failed.reason}` : ""}\n` +
        `--- runner stdout (tail) ---\n${tail(r.stdout)}\n--- runner stderr (tail) ---\n${tail(r.stderr)}`,
    );
  }
  return {
    jobId,
    backupId,
    job,
    child,
    lines,
    started: lines.find((l) => l.event === "backup.started"),
    done,
    processSeconds,
    measured,
    stdout: r.stdout,
    stderr: r.stderr,
  };
}
