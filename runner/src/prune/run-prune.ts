import type { S3Client } from "@aws-sdk/client-s3";
import { redactSecrets } from "@walwarden/verifier";
import { MAX_PRUNE_TARGETS } from "@walwarden/verifier/wire";
import { type ClaimedPruneJob, type Progress, sleep, type WorkerApi } from "../api/worker-api.js";
import type { RunnerConfig } from "../config/schema.js";
import type { RunnerLogger } from "../log/logger.js";
import { PruneStopped, pruneHeartbeats } from "./heartbeat.js";
import type { LockSupport } from "./object-lock.js";
import type { PruneJournal } from "./prune-journal.js";
import { type PruneResult, pruneTarget } from "./prune-target.js";

/** What a prune job needs from the runner. */
export interface PruneContext {
  config: RunnerConfig;
  api: WorkerApi;
  s3: S3Client;
  log: RunnerLogger;
  /** The secrets this runner holds: redacted from every reason it reports or logs. */
  secrets: readonly string[];
  pruneJournal: PruneJournal;
}

/** How a prune job ended: its report taken by the Worker, or a job failure (nothing reported). */
export type PruneOutcome =
  | { status: "pruned"; results: PruneResult[]; expired: number; blocked: number }
  | { status: "failed"; reason: string; retryable: boolean; reported: boolean };

/** Rounds of posting the report while the Worker does not answer (each is the API client's own retries). */
const REPORT_ROUNDS = 5;

/**
 * Runs one claimed prune (SPEC §12): each target (at most MAX_PRUNE_TARGETS) in turn through pruneTarget,
 * heartbeats with phase `deleting` and the bytes deleted, then one report of every outcome, posted again
 * while the Worker does not answer. An S3 failure fails the job as retryable with a redacted reason (what
 * was deleted is in the prune journal, so the retry reports it `deleted`); shutdown stops between targets,
 * failed as retryable too; a lost lease stops it with nothing reported. The journal forgets the targets
 * once the Worker has taken the report.
 */
export async function runPrune(job: ClaimedPruneJob, ctx: PruneContext, signal: AbortSignal): Promise<PruneOutcome> {
  const log = ctx.log.child({ jobId: job.jobId, databaseId: job.databaseId, attempt: job.attempt });
  const progress: Progress = { phase: "deleting", bytes: 0 };
  const stop = new AbortController();
  const onShutdown = () =>
    stop.abort(new PruneStopped("the runner is shutting down (SIGTERM); the prune will be retried", false));
  signal.addEventListener("abort", onShutdown, { once: true });
  const heartbeats = pruneHeartbeats(job, ctx.api, ctx.config.heartbeatSeconds, progress, stop, log);
  const targets = job.targets.slice(0, MAX_PRUNE_TARGETS);
  log.info({ event: "prune.started", targets: targets.length, decidedAt: job.decidedAt }, "prune started");
  try {
    if (!ctx.config.databases[job.databaseId])
      return await failJob(job, ctx, `database ${job.databaseId} is not in this runner's configuration`, false, log);
    const lockSupport: LockSupport = { configured: undefined };
    const own = { bucket: ctx.config.bucket.bucket, prefix: ctx.config.bucket.prefix, databaseId: job.databaseId };
    const results: PruneResult[] = [];
    for (const target of targets) {
      if (stop.signal.aborted) return await stopped(job, ctx, stop.signal.reason, log);
      const r = await pruneTarget(target, { s3: ctx.s3, own, journal: ctx.pruneJournal, lockSupport, progress, log });
      if (!r.ok) return await failJob(job, ctx, `the bucket failed during the prune: ${r.message}`, true, log);
      results.push(r.value);
    }
    if (stop.signal.aborted) return await stopped(job, ctx, stop.signal.reason, log);
    const posted = await reportUntilDecided(job, ctx, results, stop.signal, log);
    if (!posted.ok) {
      if (posted.code === "lease-lost") return lost(posted.message, log);
      if (posted.code === "unavailable" || posted.code === "bad-response") {
        const reason = redactSecrets(posted.message, ctx.secrets);
        log.error({ event: "prune.report_failed", reason }, "the Worker did not take the prune report");
        return { status: "failed", reason, retryable: true, reported: false };
      }
      return await failJob(job, ctx, `the Worker refused the prune report: ${posted.message}`, false, log);
    }
    await ctx.pruneJournal.forget(targets);
    const counts = Object.fromEntries(
      [...new Set(results.map((r) => r.outcome))].map((o) => [o, results.filter((r) => r.outcome === o).length]),
    );
    log.info({ event: "prune.completed", outcomes: counts, bytes: progress.bytes, ...posted.value }, "prune reported");
    return { status: "pruned", results, ...posted.value };
  } catch (e) {
    return await failJob(job, ctx, (e as Error).message ?? String(e), true, log);
  } finally {
    signal.removeEventListener("abort", onShutdown);
    stop.abort(new PruneStopped("done", false));
    await heartbeats;
  }
}

/** Posts the report, again while the Worker does not answer (the same report: what was deleted stays deleted). */
async function reportUntilDecided(
  job: ClaimedPruneJob,
  ctx: PruneContext,
  results: PruneResult[],
  stop: AbortSignal,
  log: RunnerLogger,
) {
  for (let round = 1; ; round++) {
    const r = await ctx.api.pruneReport(job.jobId, { leaseId: job.leaseId, results });
    if (r.ok || (r.code !== "unavailable" && r.code !== "bad-response") || round >= REPORT_ROUNDS || stop.aborted)
      return r;
    log.warn(
      { event: "prune.report_retry", round, reason: redactSecrets(r.message, ctx.secrets) },
      "the Worker did not answer the prune report; retrying",
    );
    await sleep(5_000, stop);
  }
}

function stopped(job: ClaimedPruneJob, ctx: PruneContext, reason: unknown, log: RunnerLogger): Promise<PruneOutcome> {
  const s = reason instanceof PruneStopped ? reason : new PruneStopped(String(reason), false);
  if (s.leaseLost) return Promise.resolve(lost(s.message, log));
  return failJob(job, ctx, s.message, true, log);
}

function lost(reason: string, log: RunnerLogger): PruneOutcome {
  log.warn({ event: "prune.lease_lost", reason }, "lease lost; prune abandoned (the journal keeps what was deleted)");
  return { status: "failed", reason, retryable: true, reported: false };
}

/** Fails the job with a redacted reason; retryable ones are re-queued by the Worker. */
async function failJob(
  job: ClaimedPruneJob,
  ctx: PruneContext,
  reason: string,
  retryable: boolean,
  log: RunnerLogger,
): Promise<PruneOutcome> {
  const clean = redactSecrets(reason, ctx.secrets);
  const r = await ctx.api.fail(job.jobId, job.leaseId, clean, retryable);
  log.error({ event: "prune.failed", reason: clean, retryable, reported: r.ok }, "prune failed");
  return { status: "failed", reason: clean, retryable, reported: r.ok };
}
