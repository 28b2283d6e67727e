// The real parts a runner talks to (the Worker under wrangler's dev server with local D1 and Durable
// Objects, s3rver behind a fault proxy, PostgreSQL 15), and the real walwarden-runner program run against
// them as a child process, as a customer runs it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { bootstrapOrg, createDatabase, createRunnerToken } from "./api/index.js";
import {
  applyMigrations,
  startDev,
  tempDir,
  writeKeysEnvFile,
  cleanup as stopWorkers,
  type LocalWorker,
} from "./local-worker/index.js";
import { startCluster, stopAllClusters, type Cluster } from "./postgres/index.js";
import { ROOT, RUNNER_BIN } from "./root.js";
import { localS3Client, startFaultProxy, startS3, type FaultProxy, type FaultRule, type LocalS3 } from "./s3/index.js";

export { ROOT, RUNNER_BIN } from "./root.js";

/** Everything a runner test talks to. */
export interface Parts {
  dev: LocalWorker;
  s3: LocalS3;
  proxy: FaultProxy;
  pg: Cluster;
  cookie: string;
  runner: { id: string; token: string };
  /** The fault rule the proxy applies now (tests swap it). */
  setFaults(rule: FaultRule | undefined): void;
  /** A direct S3 client (not through the proxy). */
  s3Client: S3Client;
  stop(): Promise<void>;
}

/**
 * Starts the Worker (short leases; the dashboard too with `dashboard`; more vars with `workerVars`, e.g. the
 * test-only TEST_FAULTS), S3 behind the fault proxy and a PostgreSQL 15 cluster; creates an org and a runner.
 */
export async function startParts({
  dashboard = false,
  workerVars = {},
}: {
  dashboard?: boolean;
  workerVars?: Record<string, string>;
} = {}): Promise<Parts> {
  const persist = tempDir("ww-runner-test-");
  const envFile = writeKeysEnvFile(persist);
  await applyMigrations(persist);
  let faults: FaultRule | undefined;
  const [dev, s3, pg] = await Promise.all([
    // Without the dashboard's assets unless asked: cron ticks at a chosen time need the Worker in front.
    startDev({ persist, envFile, vars: { LEASE_SECONDS: "6", ...workerVars }, apiOnly: !dashboard }),
    startS3({ bucket: "acme-backups" }),
    startCluster({ name: "source" }),
  ]);
  const proxy = await startFaultProxy({ target: s3.endpoint, rules: (req, info) => faults?.(req, info) });
  const { cookie } = await bootstrapOrg(dev);
  const runner = await createRunnerToken(dev, cookie, "test runner");
  const s3Client = localS3Client(s3);
  return {
    dev,
    s3,
    proxy,
    pg,
    cookie,
    runner: { id: runner.id, token: runner.token },
    setFaults: (rule) => {
      faults = rule;
    },
    s3Client,
    stop: async () => {
      s3Client.destroy();
      await proxy.stop();
      await s3.stop();
      await stopAllClusters();
      await stopWorkers();
    },
  };
}

/** Creates a database in the org and returns its id. */
export async function addDatabase(parts: Parts, name: string): Promise<string> {
  return (await createDatabase(parts.dev, parts.cookie, name, "self-hosted")).id;
}

/** A runner config file for `databases` (id → {url, …}), through the fault proxy; returns its path and state dir. */
export function runnerConfig(
  parts: Parts,
  databases: Record<string, Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): { path: string; stateDir: string } {
  const dir = mkdtempSync(join(tmpdir(), "ww-runner-cfg-"));
  const stateDir = join(dir, "state");
  const path = join(dir, "runner.json");
  writeFileSync(
    path,
    JSON.stringify({
      api: parts.dev.url,
      token: parts.runner.token,
      databases,
      bucket: {
        bucket: parts.s3.bucket,
        region: parts.s3.region,
        endpoint: parts.proxy.endpoint,
        forcePathStyle: true,
        prefix: "walwarden",
        accessKeyId: parts.s3.accessKeyId,
        secretAccessKey: parts.s3.secretAccessKey,
      },
      pollSeconds: 0.2,
      heartbeatSeconds: 1,
      healthPort: -1,
      stateDir,
      ...extra,
    }),
  );
  return { path, stateDir };
}

/** A running walwarden-runner: its JSON log lines so far, and how it ended. */
export interface RunnerProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line matching `test`. */
  waitForLine(test: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Starts `walwarden-runner <args>` as a child process. */
export function startRunner(args: string[], env: Record<string, string> = {}): RunnerProcess {
  // The bin itself, as an operator runs it (its shebang sets the runner's Node flags).
  const child = spawn(RUNNER_BIN, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let partial = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => {
    out += s;
    const complete = (partial + s).split("\n");
    partial = complete.pop()!;
    for (const p of complete) {
      if (!p.trim()) continue;
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        // not a log line (check's table)
      }
    }
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (err += s));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on("close", (code, signal) => r({ code, signal })),
  );
  return {
    child,
    lines,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitForLine: (test, timeoutMs = 60_000) =>
      new Promise((resolveLine, reject) => {
        const check = () => {
          const hit = lines.find(test);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolveLine(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching runner log line within ${timeoutMs} ms; stdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

/** Runs `walwarden-runner <args>` to the end. */
export async function runRunner(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; lines: Record<string, unknown>[]; stdout: string; stderr: string }> {
  const p = startRunner(args, env);
  const { code } = await p.exit;
  return { code, lines: p.lines, stdout: p.stdout(), stderr: p.stderr() };
}

/** Every object key in the bucket (directly, not through the proxy). */
export async function listKeys(parts: Parts, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await parts.s3Client.send(
      new ListObjectsV2Command({ Bucket: parts.s3.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

/** Open multipart uploads in the bucket. */
export async function openUploads(parts: Parts): Promise<{ key: string; uploadId: string }[]> {
  const r = await parts.s3Client.send(new ListMultipartUploadsCommand({ Bucket: parts.s3.bucket }));
  return (r.Uploads ?? []).map((u) => ({ key: u.Key!, uploadId: u.UploadId! }));
}

/** An object's bytes. */
export async function getObject(parts: Parts, key: string): Promise<Buffer> {
  const r = await parts.s3Client.send(new GetObjectCommand({ Bucket: parts.s3.bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

/** Writes `data` to a fresh temp file and returns its path. */
export function tempFile(name: string, data: Uint8Array | string): string {
  const p = join(mkdtempSync(join(tmpdir(), "ww-file-")), name);
  writeFileSync(p, data);
  return p;
}
