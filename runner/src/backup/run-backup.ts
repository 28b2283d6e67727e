import { DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { artifactExtension, backupObjectKey, type PgDumpPredicate, redactSecrets } from "@walwarden/verifier";
import type { ClaimedJob, Completed, Progress, WorkerApi } from "../api/worker-api.js";
import { sleep } from "../api/worker-api.js";
import type { RunnerConfig } from "../config/schema.js";
import { lockObject, writeKit, type Retention } from "../kit/write-kit.js";
import type { RunnerLogger } from "../log/logger.js";
import { pgTarget } from "../pg/connection.js";
import { choosePgDump, type PgDumpBinary } from "../pg/pg-dump-binaries.js";
import { pgDumpCommand } from "../pg/dump-command.js";
import { schemaFingerprint } from "../pg/schema-fingerprint.js";
import { SnapshotSession } from "../pg/snapshot-session.js";
import { tableRowCounts } from "../pg/table-row-counts.js";
import { startDumpPipeline } from "../pipeline/dump-pipeline.js";
import { choosePartSize } from "../s3/part-size.js";
import { uploadArtifact } from "../s3/upload-artifact.js";
import type { UploadJournal } from "../s3/upload-journal.js";
import { RUNNER_VERSION } from "../version.js";

/** What running one job needs. */
export interface BackupContext {
  config: RunnerConfig;
  api: WorkerApi;
  s3: S3Client;
  journal: UploadJournal;
  log: RunnerLogger;
  env: NodeJS.ProcessEnv;
  /** The secrets this runner holds (knownSecrets): redacted from every reason it reports or shows. */
  secrets: readonly string[];
  /** Installed pg_dump binaries (looked up once per job: a client installed meanwhile is picked up). */
  pgDumps(): Promise<PgDumpBinary[]>;
  /** The vkeys the Worker publishes (for the kit's README). */
  publishedKeys(): Promise<string[]>;
}

/** How a job ended. */
export type BackupOutcome =
  | { status: "completed"; key: string; sha256: string; sizeBytes: number; rawBytes: number | null; kit: string[] }
  | { status: "failed"; reason: string; retryable: boolean; reported: boolean };

/** Parts uploaded at once: enough to keep a connection busy while the next part fills, few enough to bound memory. */
const PARTS_IN_FLIGHT = 3;

/** A failure with whether another attempt could succeed. */
class JobFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * Runs one claimed backup job end to end: snapshot, pg_dump → compress → SHA-256 → S3, row counts and
 * schema fingerprint in the dump's snapshot, complete (the Worker signs the manifest), then the walk-away
 * kit. Heartbeats carry progress and extend the lease; a lost lease or `signal` (shutdown) stops the
 * job. On any failure the upload is aborted and the job is failed with the reason.
 */
export async function runBackup(job: ClaimedJob, ctx: BackupContext, signal: AbortSignal): Promise<BackupOutcome> {
  const log = ctx.log.child({
    jobId: job.jobId,
    backupId: job.backupId,
    databaseId: job.databaseId,
    attempt: job.attempt,
  });
  const progress: Progress = { phase: "dumping", bytes: 0 };
  const stop = new AbortController();
  const onShutdown = () =>
    stop.abort(new JobFailure("the runner is shutting down (SIGTERM); the job will be retried", true));
  signal.addEventListener("abort", onShutdown, { once: true });
  const heartbeats = heartbeatLoop(job, ctx, progress, stop, log);
  try {
    const done = await backup(job, ctx, progress, stop.signal, log);
    log.info(
      {
        event: "backup.completed",
        key: done.key,
        sha256: done.sha256,
        sizeBytes: done.sizeBytes,
        rawBytes: done.rawBytes,
      },
      "backup completed",
    );
    return done;
  } catch (e) {
    const caught = e instanceof JobFailure ? e : new JobFailure((e as Error).message ?? String(e), true);
    // The reason goes to the Worker, the log and /healthz: credentials out first.
    const failure = new JobFailure(redactSecrets(caught.message, ctx.secrets), caught.retryable);
    if (failure.message.startsWith("lease lost")) {
      log.warn({ event: "backup.lease_lost", reason: failure.message }, "lease lost; job abandoned");
      return { status: "failed", reason: failure.message, retryable: true, reported: false };
    }
    const r = await ctx.api.fail(job.jobId, job.leaseId, failure.message, failure.retryable);
    log.error(
      { event: "backup.failed", reason: failure.message, retryable: failure.retryable, reported: r.ok },
      "backup failed",
    );
    return { status: "failed", reason: failure.message, retryable: failure.retryable, reported: r.ok };
  } finally {
    signal.removeEventListener("abort", onShutdown);
    stop.abort(new JobFailure("done", false));
    await heartbeats;
  }
}

async function backup(
  job: ClaimedJob,
  ctx: BackupContext,
  progress: Progress,
  stop: AbortSignal,
  log: RunnerLogger,
): Promise<Extract<BackupOutcome, { status: "completed" }>> {
  const { config } = ctx;
  const db = config.databases[job.databaseId];
  if (!db) throw new JobFailure(`database ${job.databaseId} is not in this runner's configuration`, false);
  const target = pgTarget(db, ctx.env);
  if (!target.ok) throw new JobFailure(target.message, false);
  const session = await SnapshotSession.open(target.value);
  if (!session.ok) throw new JobFailure(session.message, true);
  const snap = session.value;
  try {
    const pgDump = choosePgDump(await ctx.pgDumps(), snap.serverMajor, snap.serverVersion);
    if (!pgDump.ok) throw new JobFailure(pgDump.message, false);
    const dbBytes = Number(
      (await snap.client.query<{ n: string }>("SELECT pg_database_size(current_database()) AS n")).rows[0]!.n,
    );
    const startedAt = new Date();
    const ext = artifactExtension(config.compression.algorithm, "custom");
    const key = backupObjectKey({
      prefix: config.bucket.prefix,
      databaseId: job.databaseId,
      backupId: job.backupId,
      startedAt: startedAt.toISOString(),
      artifactExt: ext,
    });
    if (!key.ok) throw new JobFailure(key.message, false);
    const retention: Retention | undefined = config.bucket.objectLock
      ? {
          mode: config.bucket.objectLock.mode,
          retainUntil: new Date(startedAt.getTime() + config.bucket.objectLock.retainDays * 86_400_000),
        }
      : undefined;
    log.info(
      {
        event: "backup.started",
        key: key.value,
        pgDump: pgDump.value.path,
        pgDumpVersion: pgDump.value.version,
        serverVersion: snap.serverVersion,
        databaseBytes: dbBytes,
      },
      "backup started",
    );

    const pipeline = startDumpPipeline(
      pgDumpCommand(pgDump.value, db, target.value, ctx.env, [`--snapshot=${snap.snapshotId}`]),
      config.compression,
    );
    await ctx.journal.add(key.value);
    const upload = uploadArtifact(ctx.s3, pipeline.body, {
      bucket: config.bucket.bucket,
      key: key.value,
      partSize: choosePartSize(dbBytes),
      queueSize: PARTS_IN_FLIGHT,
      contentType: "application/octet-stream",
      metadata: { "walwarden-backup": job.backupId, "walwarden-job": job.jobId },
    });
    const onStop = () => {
      pipeline.cancel((stop.reason as Error).message);
      upload.cancel();
    };
    stop.addEventListener("abort", onStop, { once: true });
    const tick = setInterval(() => {
      const up = upload.uploadedBytes();
      progress.phase = up > 0 ? "uploading" : "dumping";
      progress.bytes = up > 0 ? up : pipeline.storedBytes();
    }, 250);
    let stored;
    let measures;
    try {
      stored = await upload.done;
      measures = await pipeline.measures;
    } catch (e) {
      pipeline.cancel("upload failed");
      upload.cancel();
      await ctx.journal.remove(key.value);
      if (stop.aborted) throw stop.reason;
      throw new JobFailure((e as Error).message, true);
    } finally {
      clearInterval(tick);
      stop.removeEventListener("abort", onStop);
    }
    if (stop.aborted) {
      await deleteQuietly(ctx.s3, config.bucket.bucket, key.value);
      await ctx.journal.remove(key.value);
      throw stop.reason;
    }
    progress.phase = "finalizing";
    progress.bytes = measures.storedBytes;

    const tables = await tableRowCounts(snap.client, db);
    const fingerprint = await schemaFingerprint(snap.client, db);
    await snap.close();
    const result: Omit<PgDumpPredicate, "backupId" | "orgId" | "databaseId" | "jobId"> = {
      startedAt: startedAt.toISOString(),
      completedAt: new Date().toISOString(),
      sizeBytes: measures.storedBytes,
      compression: config.compression.algorithm,
      dumpFormat: "custom",
      serverVersion: snap.serverVersion,
      pgDumpVersion: pgDump.value.version,
      s3: {
        bucket: config.bucket.bucket,
        key: key.value,
        versionId: stored.versionId,
        etag: stored.etag || "unknown",
        objectLock: retention ? { mode: retention.mode, retainUntil: retention.retainUntil.toISOString() } : null,
      },
      tables,
      schemaFingerprint: fingerprint,
      runner: { id: job.runnerId, version: RUNNER_VERSION },
    };
    const completed = await completeUntilDecided(
      job,
      ctx,
      { leaseId: job.leaseId, artifactSha256: measures.sha256, result },
      log,
    );
    if (!completed.ok) {
      // The Worker did not sign (the lease is gone): an object without a manifest must not stay.
      await deleteQuietly(ctx.s3, config.bucket.bucket, key.value);
      await ctx.journal.remove(key.value);
      throw new JobFailure(completed.message, true);
    }
    await ctx.journal.remove(key.value);
    const publishedKeys = await ctx.publishedKeys().catch(() => []);
    const kit = await writeKit(
      ctx.s3,
      config.bucket.bucket,
      key.value,
      completed.value,
      {
        backupId: job.backupId,
        databaseId: job.databaseId,
        artifactKey: key.value,
        compression: config.compression.algorithm,
        pgDumpVersion: pgDump.value.version,
        serverVersion: snap.serverVersion,
        completedAt: result.completedAt,
        sha256: measures.sha256,
        publishedKeys,
      },
      retention,
    );
    if (retention) await lockObject(ctx.s3, config.bucket.bucket, key.value, retention);
    return {
      status: "completed",
      key: key.value,
      sha256: measures.sha256,
      sizeBytes: measures.storedBytes,
      rawBytes: measures.rawBytes,
      kit,
    };
  } finally {
    await snap.close();
  }
}

/** complete, retried while the Worker cannot be reached (complete is idempotent per lease); decided = signed or refused. */
async function completeUntilDecided(
  job: ClaimedJob,
  ctx: BackupContext,
  body: Parameters<WorkerApi["complete"]>[1],
  log: RunnerLogger,
) {
  for (let attempt = 1; ; attempt++) {
    const r = await ctx.api.complete(job.jobId, body);
    if (r.ok) return r as { ok: true; value: Completed };
    if (r.code !== "unavailable" || attempt >= 10) return r;
    log.warn({ event: "complete.retry", attempt, reason: r.message }, "complete: the Worker did not answer; retrying");
    await sleep(5_000);
  }
}

/** Heartbeats every heartbeatSeconds until `stop`; a lost lease stops the job. */
async function heartbeatLoop(
  job: ClaimedJob,
  ctx: BackupContext,
  progress: Progress,
  stop: AbortController,
  log: RunnerLogger,
): Promise<void> {
  while (!stop.signal.aborted) {
    await sleep(ctx.config.heartbeatSeconds * 1000, stop.signal);
    if (stop.signal.aborted) return;
    const r = await ctx.api.heartbeat(job.jobId, job.leaseId, { ...progress });
    if (!r.ok && r.code === "lease-lost") {
      log.warn({ event: "heartbeat.lease_lost" }, r.message);
      stop.abort(new JobFailure(`lease lost: ${r.message}`, true));
      return;
    }
    if (!r.ok) log.warn({ event: "heartbeat.failed", reason: r.message }, "heartbeat failed; will retry");
  }
}

async function deleteQuietly(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => {});
}
