import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type DsseEnvelope, redactSecrets } from "@walwarden/verifier";
import type { ClaimedDrillJob, Progress } from "../api/worker-api.js";
import { sleep } from "../api/worker-api.js";
import type { Retention } from "../kit/write-kit.js";
import type { RunnerLogger } from "../log/logger.js";
import type { RunnerContext } from "./drill-context.js";
import type { JournaledDrill } from "./drill-journal.js";
import { DrillStopped, drillHeartbeats } from "./heartbeat.js";
import { type DrillResources, measureDrill } from "./measure-drill.js";
import { drillPredicate, signReceipt, storeReceipt } from "./receipt.js";

/** How a drill job ended: a receipt the Worker accepted (the drill passed or failed), or a job failure without one. */
export type DrillOutcome =
  | {
      status: "drilled";
      outcome: "passed" | "failed";
      receiptKey: string;
      reason: string | null;
      receipt: DsseEnvelope;
    }
  | { status: "failed"; reason: string; retryable: boolean; reported: boolean };

/**
 * Runs one claimed drill: heartbeats with its phase, measureDrill, then a signed receipt (stored next to
 * the kit, then posted to the Worker, retried with the same receipt while the Worker does not answer) or
 * a failed job. The target and the work dir are removed at the end whatever happened (success, failure,
 * shutdown: `signal` aborts the running step), and the journal forgets the drill only then.
 */
export async function runDrill(job: ClaimedDrillJob, ctx: RunnerContext, signal: AbortSignal): Promise<DrillOutcome> {
  const log = ctx.log.child({
    jobId: job.jobId,
    drillId: job.drillId,
    backupId: job.backupId,
    databaseId: job.databaseId,
    attempt: job.attempt,
  });
  const progress: Progress = { phase: "preparing", bytes: 0 };
  const stop = new AbortController();
  const onShutdown = () =>
    stop.abort(new DrillStopped("the runner is shutting down (SIGTERM); the drill will be retried", false));
  signal.addEventListener("abort", onShutdown, { once: true });
  const heartbeats = drillHeartbeats(job, ctx, progress, stop, log);
  const entry: JournaledDrill = {
    drillId: job.drillId,
    dir: join(ctx.drill.scratchDir, `drill-${job.drillId}-${randomBytes(4).toString("hex")}`),
  };
  const held: DrillResources = {};
  log.info({ event: "drill.started", target: job.target, artifact: job.artifact.key }, "drill started");
  try {
    const end = await measureDrill(job, ctx, entry, held, progress, stop.signal, log);
    // Cleanup before the receipt is posted: a drill's target lives no longer than its measurements.
    await removeDrill(held, entry, ctx);
    if (stop.signal.aborted && stop.signal.reason instanceof DrillStopped && stop.signal.reason.leaseLost)
      return lost(stop.signal.reason.message, log);
    if (end.kind === "fail") return await failJob(job, ctx, end.reason, end.retryable, log);
    const signer = ctx.drill.signer();
    if (!signer)
      return await failJob(job, ctx, "the runner key is not registered: no receipt can be signed", true, log);
    const predicate = drillPredicate(job, end.measures);
    const receipt = signReceipt(job, predicate, signer);
    let receiptKey: string;
    try {
      receiptKey = await storeReceipt(ctx.s3, ctx.config.bucket.bucket, job, receipt, retentionOf(ctx));
    } catch (e) {
      return await failJob(
        job,
        ctx,
        `cannot write the drill receipt to the bucket: ${(e as Error).message}`,
        true,
        log,
      );
    }
    const posted = await postUntilDecided(job, ctx, receipt, stop.signal, log);
    if (!posted.ok) {
      if (posted.code === "lease-lost") return lost(posted.message, log);
      if (posted.code === "unavailable" || posted.code === "bad-response") {
        log.error(
          { event: "drill.report_failed", receiptKey, reason: posted.message },
          "the Worker did not take the receipt (it is in the bucket)",
        );
        return { status: "failed", reason: posted.message, retryable: true, reported: false };
      }
      return await failJob(job, ctx, `the Worker refused the drill receipt: ${posted.message}`, false, log);
    }
    log.info(
      {
        event: predicate.outcome === "passed" ? "drill.passed" : "drill.failed",
        receiptKey,
        failure: predicate.failure,
        phases: predicate.phases,
        targetSetupMs: predicate.targetSetupMs,
        rtoMs: predicate.rto.ms,
      },
      predicate.outcome === "passed" ? "drill passed" : "drill failed",
    );
    return {
      status: "drilled",
      outcome: predicate.outcome,
      receiptKey,
      reason: predicate.failure?.reason ?? null,
      receipt,
    };
  } catch (e) {
    return await failJob(job, ctx, (e as Error).message ?? String(e), true, log);
  } finally {
    signal.removeEventListener("abort", onShutdown);
    await removeDrill(held, entry, ctx);
    stop.abort(new DrillStopped("done", false));
    await heartbeats;
  }
}

/** Removes the target (stop the cluster, or drop the scratch database), then the work dir, then the journal entry. Idempotent. */
async function removeDrill(held: DrillResources, entry: JournaledDrill, ctx: RunnerContext): Promise<void> {
  const target = held.target;
  held.target = undefined;
  if (target) await target.remove();
  await rm(entry.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => {});
  await ctx.drill.journal.remove(entry);
}

function lost(reason: string, log: RunnerLogger): DrillOutcome {
  log.warn({ event: "drill.lease_lost", reason }, "lease lost; drill abandoned");
  return { status: "failed", reason, retryable: true, reported: false };
}

/** Fails the job (no receipt), redacted; retryable ones are re-queued by the Worker. */
async function failJob(
  job: ClaimedDrillJob,
  ctx: RunnerContext,
  reason: string,
  retryable: boolean,
  log: RunnerLogger,
): Promise<DrillOutcome> {
  const clean = redactSecrets(reason, ctx.secrets);
  const r = await ctx.api.fail(job.jobId, job.leaseId, clean, retryable);
  log.error(
    { event: "drill.job_failed", reason: clean, retryable, reported: r.ok },
    "drill job failed without a receipt",
  );
  return { status: "failed", reason: clean, retryable, reported: r.ok };
}

/** Posts the receipt, again with the same receipt while the Worker does not answer (it is idempotent per job and lease). */
async function postUntilDecided(
  job: ClaimedDrillJob,
  ctx: RunnerContext,
  receipt: DsseEnvelope,
  stop: AbortSignal,
  log: RunnerLogger,
) {
  for (let attempt = 1; ; attempt++) {
    const r = await ctx.api.drillResult(job.jobId, { leaseId: job.leaseId, receipt });
    if (r.ok) return r;
    if ((r.code !== "unavailable" && r.code !== "bad-response") || attempt >= 10 || stop.aborted) return r;
    log.warn(
      { event: "drill.report_retry", attempt, reason: r.message },
      "drill result: the Worker did not answer; retrying",
    );
    await sleep(5_000, stop);
  }
}

function retentionOf(ctx: RunnerContext): Retention | undefined {
  const lock = ctx.config.bucket.objectLock;
  return lock ? { mode: lock.mode, retainUntil: new Date(Date.now() + lock.retainDays * 86_400_000) } : undefined;
}
