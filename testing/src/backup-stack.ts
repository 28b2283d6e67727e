// The real parts a backup bench runs against (the repository's wrangler.toml under wrangler's dev server
// with local D1 and Durable Objects, s3rver on loopback in this process, a throwaway PostgreSQL 15
// cluster), an org with a runner token and one database, the runner's config file, and one backup made by
// the real `walwarden-runner run --once`. Linux only (as its parts).
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseVkey } from "@walwarden/verifier";
import { bootstrapOrg, createDatabase, createRunnerToken, getJob, requestBackup, type Job } from "./api/index.js";
import { applyMigrations, startDev, writeKeysEnvFile, type LocalWorker } from "./local-worker/index.js";
import { startCluster, stopAllClusters, type Cluster } from "./postgres/index.js";
import { tail } from "./proc.js";
import { ROOT, RUNNER_BIN } from "./root.js";
import { startS3, type LocalS3 } from "./s3/index.js";

export { RUNNER_BIN } from "./root.js";

/** How a program run by spawnChecked ended, and what it printed. */
export interface CheckedExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end (cwd: the repository), its output collected; `exit` resolves with how it
 * ended (SIGKILL after `timeoutMs`: only the child we started, by its pid), and rejects only if it cannot
 * be started. `child` is there at once, for samplers.
 */
export function spawnChecked(
  file: string,
  args: string[],
  { timeoutMs, env, cwd = ROOT }: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string },
): { child: ChildProcess; exit: Promise<CheckedExit>; stdout: () => string } {
  const child = spawn(file, args, { cwd, stdio: ["ignore", "pipe", "pipe"], ...(env ? { env } : {}) });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const exit = new Promise<CheckedExit>((resolve, reject) => {
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

/** One JSON log line of a program. */
// biome-ignore lint/suspicious/noExplicitAny: log lines are whatever the program logged
export type JsonLine = Record<string, any>;

/** The JSON lines of a program's output ({} for a line that starts with { but does not parse). */
export function jsonLines(text: string): JsonLine[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l) as JsonLine;
      } catch {
        return {};
      }
    });
}

/** The parts startBackupStack started and what it created. */
export interface BackupStack {
  dev: LocalWorker;
  s3: LocalS3;
  pg: Cluster;
  cookie: string;
  runner: { id: string; token: string };
  databaseId: string;
  /** The runner's config file. */
  configPath: string;
  /** The published manifest keys, parsed. */
  manifestKeys: { name: string; publicKey: Uint8Array }[];
  /** Stops s3rver and the clusters (the Worker stops with cleanup()). */
  stop(): Promise<void>;
}

/**
 * Applies the migrations to a fresh local D1 in `dir`, starts the Worker (wrangler.toml, fresh signing
 * keys), s3rver with `bucket` and a PostgreSQL 15 cluster at once; creates the org, a runner token,
 * database `dbName` on the cluster (empty) and in the Worker, and the runner's config file
 * (`<dir>/runner.json`, the database's superuser URL, the bucket's s3rver credentials).
 */
export async function startBackupStack({
  dir,
  bucket,
  dbName,
  clusterName,
}: {
  dir: string;
  bucket: string;
  dbName: string;
  clusterName: string;
}): Promise<BackupStack> {
  const persist = join(dir, "state");
  const envFile = writeKeysEnvFile(dir);
  await applyMigrations(persist);
  const [devR, s3R, pgR] = await Promise.allSettled([
    startDev({ persist, envFile, apiOnly: true }),
    startS3({ bucket }),
    startCluster({ name: clusterName }),
  ]);
  const stop = async () => {
    if (s3R.status === "fulfilled") await s3R.value.stop();
    await stopAllClusters();
  };
  if (devR.status === "rejected" || s3R.status === "rejected" || pgR.status === "rejected") {
    await stop();
    throw [devR, s3R, pgR].find((r) => r.status === "rejected")!.reason;
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

/** What runnerBackup returns: the job, the runner's log lines, the process's wall time and what onSpawn's function measured. */
export interface RunnerBackup<M> {
  jobId: string;
  backupId: string;
  job: Job;
  child: ChildProcess;
  lines: JsonLine[];
  /** The runner's backup.started line. */
  started: JsonLine | undefined;
  /** The runner's backup.completed line. */
  done: JsonLine;
  processSeconds: number;
  measured: M | undefined;
  stdout: string;
  stderr: string;
}

/**
 * One backup by the real runner: POST /v1/databases/:id/backups, then `walwarden-runner run --once --config
 * <configPath>` as a child process. `onSpawn(child, stdout)` runs as soon as the runner is started (a
 * sampler) and may return a function, called as soon as it has exited. Throws, with the runner's output,
 * unless it exits 0 with a backup.completed line and the job succeeded.
 */
export async function runnerBackup<M = unknown>(
  ctx: { dev: { url: string }; cookie: string; databaseId: string; configPath: string },
  {
    timeoutMs,
    onSpawn,
  }: { timeoutMs: number; onSpawn?: (child: ChildProcess, stdout: () => string) => undefined | (() => M) },
): Promise<RunnerBackup<M>> {
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
