import { DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { schemaFingerprint, tableRowCounts } from "@walwarden/postgres";
import { artifactExtension, backupObjectKey, type PgDumpPredicate, redactSecrets } from "@walwarden/verifier";
import type { ClaimedBackupJob, Progress, WorkerApi } from "../api/worker-api.js";
import { sleep } from "../api/worker-api.js";
import type { RunnerConfig } from "../config/schema.js";
import { backupRetention } from "../kit/lock-retention.js";
import { BACKUP_METADATA } from "../kit/write-kit.js";
import type { RunnerLogger } from "../log/logger.js";
import { pgTarget } from "../pg/connection.js";
import { choosePgDump, type PgDumpBinary } from "../pg/pg-dump-binaries.js";
import { pgDumpCommand } from "../pg/dump-command.js";
import { SnapshotSession } from "../pg/snapshot-session.js";
import { startDumpPipeline } from "../pipeline/dump-pipeline.js";
import { choosePartSize } from "../s3/part-size.js";
import { uploadArtifact } from "../s3/upload-artifact.js";
import type { UploadJournal } from "../s3/upload-journal.js";
import { RUNNER_VERSION } from "../version.js";
import type { KitWitnessPort } from "../witness/witness-loop.js";
import type { CompletionJournal, PendingCompletion } from "./completion-journal.js";
import { type KitWitnessStatus, LEASE_METADATA, type Settled, settleCompletion } from "./settle-completion.js";

/** What running one job needs. */
export interface BackupContext {
  config: RunnerConfig;
  api: WorkerApi;
  s3: S3Client;
  journal: UploadJournal;
  /** Uploaded backups offered for signing whose kit is not written yet. */
  completions: CompletionJournal;
  log: RunnerLogger;
  env: NodeJS.ProcessEnv;
  /** The secrets this runner holds (knownSecrets): redacted from every reason it reports or shows. */
  secrets: readonly string[];
  /** Installed pg_dump binaries (looked up once per job: a client installed meanwhile is picked up). */
  pgDumps(): Promise<PgDumpBinary[]>;
  /** The vkeys the Worker publishes (for the kit's README). */
  publishedKeys(): Promise<string[]>;
  /** The runner as its org's witness: the kit's checkpoint is witnessed before the kit is written (SPEC §10). */
  witness?: KitWitnessPort;
}

/**
 * How a job ended. `pending`: uploaded and offered for signing, but not settled yet (the Worker did not
 * answer, or the kit could not be written): the completion journal keeps it and the loop finishes it.
 */
export type BackupOutcome =
  | {
      status: "completed";
      key: string;
      sha256: string;
      sizeBytes: number;
      rawBytes: number | null;
      kit: string[];
      /** How the kit's checkpoint was witnessed (SPEC §10 "Witnessed kits"). */
      witness: KitWitnessStatus;
    }
  | { status: "failed"; reason: string; retryable: boolean; reported: boolean }
  | { status: "pending"; key: string; reason: string };

/** Parts uploaded at once: enough to keep a connection busy while the next part fills, few enough to bound memory. */
const PARTS_IN_FLIGHT = 3;

/** A failure with whether another attempt could succeed, and whether the Worker still needs to be told. */
class JobFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly report = true,
  ) {
    super(message);
  }
}

/** A job that ended with its completion pending (not a failure: it is finished later). */
class CompletionPending extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs one claimed backup job end to end: snapshot, pg_dump → compress → SHA-256 → S3, row counts and
 * schema fingerprint in the dump's snapshot, complete (the Worker signs the manifest), then the walk-away
 * kit. Heartbeats carry progress and extend the lease; a lost lease or `signal` (shutdown) stops the
 * job. A failure before complete aborts the upload and fails the job with the reason; from the first
 * complete on, the completion journal owns the object (settleCompletion decides whether it may go).
 */
export async function runBackup(
  job: ClaimedBackupJob,
  ctx: BackupContext,
  signal: AbortSignal,
): Promise<BackupOutcome> {
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
  const phase = { completing: false };
  const heartbeats = heartbeatLoop(job, ctx, progress, stop, phase, log);
  try {
    const done = await backup(job, ctx, progress, stop.signal, phase, log);
    log.info(
      {
        event: "backup.completed",
        key: done.key,
        sha256: done.sha256,
        sizeBytes: done.sizeBytes,
        rawBytes: done.rawBytes,
        witness: done.witness,
      },
      "backup completed",
    );
    return done;
  } catch (e) {
    if (e instanceof CompletionPending) {
      log.warn(
        { event: "backup.completion_pending", key: e.key, reason: e.message },
        "uploaded and offered for signing, not settled yet: kept in the completion journal and retried",
      );
      return { status: "pending", key: e.key, reason: e.message };
    }
    const caught = e instanceof JobFailure ? e : new JobFailure((e as Error).message ?? String(e), true);
    // The reason goes to the Worker, the log and /healthz: credentials out first.
    const failure = new JobFailure(redactSecrets(caught.message, ctx.secrets), caught.retryable);
    if (failure.message.startsWith("lease lost")) {
      log.warn({ event: "backup.lease_lost", reason: failure.message }, "lease lost; job abandoned");
      return { status: "failed", reason: failure.message, retryable: true, reported: false };
    }
    if (!failure.report) {
      log.error({ event: "backup.failed", reason: failure.message, reported: false }, "backup failed");
      return { status: "failed", reason: failure.message, retryable: failure.retryable, reported: false };
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
  job: ClaimedBackupJob,
  ctx: BackupContext,
  progress: Progress,
  stop: AbortSignal,
  phase: { completing: boolean },
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
    // Locked at least as long as the database's retention policy may keep the backup (job.minLockDays).
    const retention = backupRetention(config.bucket.objectLock, job.minLockDays, startedAt);
    log.info(
      {
        event: "backup.started",
        key: key.value,
        pgDump: pgDump.value.path,
        pgDumpVersion: pgDump.value.version,
        serverVersion: snap.serverVersion,
        databaseBytes: dbBytes,
        lockUntil: retention?.retainUntil.toISOString() ?? null,
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
      metadata: { [BACKUP_METADATA]: job.backupId, "walwarden-job": job.jobId, [LEASE_METADATA]: job.leaseId },
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
    let stored: Awaited<typeof upload.done>;
    let measures: Awaited<typeof pipeline.measures>;
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
    const pending: PendingCompletion = {
      jobId: job.jobId,
      leaseId: job.leaseId,
      backupId: job.backupId,
      databaseId: job.databaseId,
      body: { leaseId: job.leaseId, artifactSha256: measures.sha256, result },
      facts: {
        backupId: job.backupId,
        databaseId: job.databaseId,
        artifactKey: key.value,
        compression: config.compression.algorithm,
        pgDumpVersion: pgDump.value.version,
        serverVersion: snap.serverVersion,
        completedAt: result.completedAt,
        sha256: measures.sha256,
      },
      retention: retention ? { mode: retention.mode, retainUntil: retention.retainUntil.toISOString() } : null,
      recordedAt: new Date().toISOString(),
    };
    // From here the object may get signed: it belongs to the completion journal, never to cleanup.
    await ctx.completions.add(pending);
    let settled: Settled;
    try {
      await ctx.journal.remove(key.value);
      phase.completing = true;
      const { answer, sent } = await completeUntilDecided(job, ctx, pending.body, stop, log);
      settled = await settleCompletion(pending, answer, ctx, log, sent);
    } finally {
      ctx.completions.release(job.jobId);
    }
    if (settled.status === "pending") throw new CompletionPending(key.value, settled.reason);
    // Already known to the Worker (lease lost, or failed by settleCompletion): nothing left to report.
    if (settled.status === "not-signed") throw new JobFailure(settled.reason, true, false);
    if (settled.status === "mismatch") throw new JobFailure(settled.reason, false, false);
    const kit = settled.kit;
    return {
      status: "completed",
      key: key.value,
      sha256: measures.sha256,
      sizeBytes: measures.storedBytes,
      rawBytes: measures.rawBytes,
      kit,
      witness: settled.witness,
    };
  } finally {
    await snap.close();
  }
}

/**
 * complete, retried with the same body while the Worker's answer says nothing (unreachable, 5xx, an answer
 * that does not parse): complete is idempotent per lease. Stops early on shutdown; the journal keeps it.
 * Each try sends the witness's accepted size (`sent`: what the answer's witnessProof starts from).
 */
async function completeUntilDecided(
  job: ClaimedBackupJob,
  ctx: BackupContext,
  body: Parameters<WorkerApi["complete"]>[1],
  stop: AbortSignal,
  log: RunnerLogger,
) {
  for (let attempt = 1; ; attempt++) {
    const sent = await ctx.witness?.completeField();
    const answer = await ctx.api.complete(job.jobId, body, sent);
    const r = { answer, sent };
    if (answer.ok) return r;
    if ((answer.code !== "unavailable" && answer.code !== "bad-response") || attempt >= 10 || stop.aborted) return r;
    log.warn(
      { event: "complete.retry", attempt, reason: answer.message },
      "complete: the Worker did not answer; retrying",
    );
    await sleep(5_000, stop);
  }
}

/** Heartbeats every heartbeatSeconds until `stop`; a lost lease stops the job. */
async function heartbeatLoop(
  job: ClaimedBackupJob,
  ctx: BackupContext,
  progress: Progress,
  stop: AbortController,
  phase: { completing: boolean },
  log: RunnerLogger,
): Promise<void> {
  while (!stop.signal.aborted) {
    await sleep(ctx.config.heartbeatSeconds * 1000, stop.signal);
    if (stop.signal.aborted) return;
    const r = await ctx.api.heartbeat(job.jobId, job.leaseId, { ...progress });
    // While completing, the lease is the recorded completion's; complete's own answer decides, not a heartbeat.
    if (!r.ok && r.code === "lease-lost" && !phase.completing) {
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
