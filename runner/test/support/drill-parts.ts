// What the drill tests run against: a PostgreSQL 15 source cluster, s3rver, and the stand-in Worker
// (stand-in-worker.ts); the real walwarden-runner as a child process, as an operator runs it. A backup is
// made by the runner itself (a backup job through the stand-in), so a drill restores what the runner
// wrote, with the kit it wrote.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { startCluster, stopAllClusters, type Cluster } from "@walwarden/testing/postgres";
import { runRunner, startRunner, type RunnerProcess } from "@walwarden/testing/runner-parts";
import { localS3Client, startS3, type LocalS3 } from "@walwarden/testing/s3";
import { ORG, type QueuedJob, startStandInWorker, type StandInWorker } from "./stand-in-worker.js";

export const TOKEN = "wwr_test_token_0123456789abcdefghijklmnop";

/** Everything a drill test talks to. */
export interface DrillParts {
  pg: Cluster;
  s3: LocalS3;
  s3Client: S3Client;
  worker: StandInWorker;
  stop(): Promise<void>;
}

/** Starts the source cluster, s3rver and the stand-in Worker. */
export async function startDrillParts(o: { leaseSeconds?: number } = {}): Promise<DrillParts> {
  const [pg, s3, worker] = await Promise.all([
    startCluster({ name: "drill-source" }),
    startS3({ bucket: "acme-backups" }),
    startStandInWorker(o),
  ]);
  const s3Client = localS3Client(s3);
  return {
    pg,
    s3,
    s3Client,
    worker,
    stop: async () => {
      s3Client.destroy();
      await worker.stop();
      await s3.stop();
      await stopAllClusters();
    },
  };
}

/** A runner config (databases: id → source database name on the cluster), in a fresh dir the postgres OS user can traverse. */
export function drillConfig(
  parts: DrillParts,
  databases: Record<string, string>,
  extra: Record<string, unknown> = {},
): { path: string; stateDir: string } {
  const dir = mkdtempSync(join(tmpdir(), "ww-drill-cfg-"));
  // A drill cluster runs as the postgres OS user when the tests run as root: it must reach <stateDir>/drills.
  chmodSync(dir, 0o711);
  const stateDir = join(dir, "state");
  const path = join(dir, "runner.json");
  writeFileSync(
    path,
    JSON.stringify({
      api: parts.worker.url,
      token: TOKEN,
      databases: Object.fromEntries(Object.entries(databases).map(([id, db]) => [id, { url: parts.pg.url(db) }])),
      bucket: {
        bucket: parts.s3.bucket,
        region: parts.s3.region,
        endpoint: parts.s3.endpoint,
        forcePathStyle: true,
        prefix: "walwarden",
        accessKeyId: parts.s3.accessKeyId,
        secretAccessKey: parts.s3.secretAccessKey,
      },
      pollSeconds: 0.2,
      heartbeatSeconds: 0.5,
      healthPort: -1,
      stateDir,
      ...extra,
    }),
  );
  return { path, stateDir };
}

/** `walwarden-runner run --once` with a config. */
export function runOnce(config: { path: string }) {
  return runRunner(["run", "--config", config.path, "--once"]);
}

/** `walwarden-runner run` (until stopped) with a config. */
export function startRun(config: { path: string }): RunnerProcess {
  return startRunner(["run", "--config", config.path]);
}

let seq = 0;
/** A fresh id with a prefix. */
export function id(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${(seq++).toString(36)}`;
}

/** A backup the runner made, as the stand-in signed it: what a drill job names. */
export interface MadeBackup {
  databaseId: string;
  backupId: string;
  artifact: { bucket: string; key: string; sha256: string; sizeBytes: number };
  manifestSha256: string;
}

/** Queues a backup of `databaseId` and runs the runner once: returns the signed backup. */
export async function makeBackup(parts: DrillParts, config: { path: string }, databaseId: string): Promise<MadeBackup> {
  const jobId = id("job");
  const backupId = id("bk");
  parts.worker.queue({ kind: "backup", jobId, databaseId, backupId });
  const r = await runOnce(config);
  const done = parts.worker.jobs.get(jobId)?.completed;
  if (!done) throw new Error(`the backup did not complete (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr}`);
  const { s3 } = done.predicate;
  return {
    databaseId,
    backupId,
    artifact: { bucket: s3.bucket, key: s3.key, sha256: done.artifactSha256, sizeBytes: done.predicate.sizeBytes },
    manifestSha256: done.manifestSha256,
  };
}

/** A drill job of a backup (local target, no assertions, no RTO target unless given). */
export function drillJob(
  backup: MadeBackup,
  over: Partial<Extract<QueuedJob, { kind: "drill" }>> = {},
): Extract<QueuedJob, { kind: "drill" }> {
  return {
    kind: "drill",
    jobId: id("job"),
    drillId: id("dr"),
    orgId: ORG,
    databaseId: backup.databaseId,
    backupId: backup.backupId,
    artifact: backup.artifact,
    manifestSha256: backup.manifestSha256,
    target: "local",
    maxRtoSeconds: null,
    assertions: [],
    ...over,
  };
}

/** An object's bytes. */
export async function getBytes(parts: DrillParts, key: string): Promise<Buffer> {
  const r = await parts.s3Client.send(new GetObjectCommand({ Bucket: parts.s3.bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

/** Replaces an object's bytes. */
export async function putBytes(parts: DrillParts, key: string, body: Uint8Array): Promise<void> {
  await parts.s3Client.send(new PutObjectCommand({ Bucket: parts.s3.bucket, Key: key, Body: body }));
}

/** The drill scratch dir of a config's state dir (the default). */
export function defaultScratch(config: { stateDir: string }): string {
  return join(config.stateDir, "drills");
}
