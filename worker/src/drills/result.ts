import {
  canonicalBytes,
  type EventDataOf,
  err,
  fromUtf8,
  ok,
  parseVkey,
  type Result,
  sha256,
  toHex,
  verifyDrillReceipt,
} from "@walwarden/verifier";
import type { CompleteRefusalCode, DrillResultRequest, DrillResultResponse } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { completionOf, finishCompletion, recordCompletion } from "../jobs/finish-completion.js";
import { safeText } from "../log/free-text.js";

/**
 * Why a drill result was refused: the complete refusals (`lease-lost`, `completion-mismatch`, with the same
 * guarantees: nothing was accepted for this receipt), a receipt that does not verify or is about another
 * drill, or a job that is not a drill.
 */
export type DrillResultErrorCode = CompleteRefusalCode | "bad-receipt" | "not-a-drill";

interface JobRow {
  kind: string;
  drill_id: string | null;
  database_id: string;
  backup_id: string;
  status: string;
  lease_id: string | null;
  lease_expires_at: number | null;
  runner_id: string | null;
  attempt: number;
}

/** What the receipt is checked against: the runner's registered key and the backup the drill restores. */
interface Expected {
  vkey: string | null;
  artifact_uri: string;
  sha256: string;
  manifest_sha256: string;
}

/**
 * Accepts a drill's signed receipt (SPEC §11), idempotently per (job, lease), as complete is for a backup:
 * under a live lease of the calling runner, the receipt must verify with that runner's registered key
 * (verifyDrillReceipt: signature, predicate, consistency) and name this job's drill, job, backup, database,
 * org, artifact and manifest, and the runner itself. Then the completion is recorded (job_completions,
 * kind drill: the receipt's SHA-256, the receipt, the event) with the move to `completing`, before anything
 * is logged; finishing it logs `drill.completed` (passed) or `drill.failed` (failed, no retry) and writes the
 * job's and the drill's rows. The same receipt again answers the same entry; another is
 * `completion-mismatch`. A refusal writes nothing.
 */
export async function acceptDrillResult(
  env: Env,
  runner: { id: string; orgId: string },
  jobId: string,
  body: DrillResultRequest,
  now: number,
): Promise<Result<DrillResultResponse, DrillResultErrorCode>> {
  const { leaseId, receipt } = body;
  const receiptBytes = canonicalBytes(receipt);
  const receiptSha256 = toHex(sha256(receiptBytes));
  const job = await env.DB.prepare(
    `SELECT kind, drill_id, database_id, backup_id, status, lease_id, lease_expires_at, runner_id, attempt
     FROM jobs WHERE id = ?1 AND org_id = ?2`,
  )
    .bind(jobId, runner.orgId)
    .first<JobRow>();
  if (!job) return leaseLost();
  if (job.kind !== "drill" || !job.drill_id)
    return err(
      "not-a-drill",
      `job ${jobId} is a ${job.kind}, not a drill: send its result to POST /v1/runner/jobs/${jobId}/complete`,
    );
  let recorded = await completionOf(env, runner.orgId, jobId);
  const live =
    job.status === "leased" &&
    job.lease_id === leaseId &&
    job.runner_id === runner.id &&
    (job.lease_expires_at ?? 0) >= now;
  if (!recorded && live) {
    const expected = await env.DB.prepare(
      `SELECT r.vkey, b.artifact_uri, b.sha256, b.manifest_sha256 FROM runners r, backups b
       WHERE r.id = ?1 AND r.org_id = ?2 AND b.id = ?3 AND b.org_id = ?2`,
    )
      .bind(runner.id, runner.orgId, job.backup_id)
      .first<Expected>();
    // The claim hands a drill only to a runner with a key, for a stored backup; keys are replaced, never removed.
    if (!expected?.vkey)
      return err("bad-receipt", "this runner has no registered key to verify its receipt with: POST /v1/runner/key");
    const key = parseVkey(expected.vkey);
    if (!key.ok) throw new Error(`runner ${runner.id}'s stored vkey does not parse: ${key.message}`);
    const verified = verifyDrillReceipt(receipt, [key.value], {
      drillId: job.drill_id,
      backupId: job.backup_id,
      databaseId: job.database_id,
      orgId: runner.orgId,
      artifactSha256: expected.sha256,
      artifactUri: expected.artifact_uri,
      manifestSha256: expected.manifest_sha256,
    });
    if (!verified.ok) return err("bad-receipt", `receipt refused (${verified.code}): ${verified.message}`);
    const p = verified.value.predicate;
    if (p.jobId !== jobId)
      return err(
        "bad-receipt",
        `receipt refused (subject-mismatch): the receipt's job is ${p.jobId}, expected ${jobId}`,
      );
    if (p.runner.id !== runner.id)
      return err(
        "bad-receipt",
        `receipt refused (subject-mismatch): the receipt's runner is ${p.runner.id}, not the calling runner (${runner.id})`,
      );
    const ref = { jobId, drillId: job.drill_id, databaseId: job.database_id, backupId: job.backup_id };
    const signed = { receiptSha256, runnerVkey: expected.vkey };
    const event =
      p.outcome === "passed"
        ? {
            type: "drill.completed",
            data: { ...ref, runnerId: runner.id, ...signed, rtoMs: p.rto.ms } satisfies EventDataOf<"drill.completed">,
          }
        : {
            type: "drill.failed",
            data: {
              ...ref,
              runnerId: runner.id,
              attempt: job.attempt,
              reason: safeText(p.failure?.reason ?? "the drill failed", 4000),
              willRetry: false,
              ...signed,
            } satisfies EventDataOf<"drill.failed">,
          };
    recorded = await recordCompletion(env, {
      jobId,
      orgId: runner.orgId,
      kind: "drill",
      leaseId,
      runnerId: runner.id,
      requestSha256: receiptSha256,
      envelope: fromUtf8(receiptBytes)!,
      logKey: `completed:${jobId}:${leaseId}`,
      event: JSON.stringify({
        type: event.type,
        actor: `runner:${runner.id}`,
        subject: `database:${job.database_id}`,
        data: event.data,
      }),
      startedAt: Date.parse(p.startedAt),
      completedAt: Date.parse(p.completedAt),
      now,
    });
  }
  // Not recorded by us: another call may have recorded one since the job was read.
  recorded ??= await completionOf(env, runner.orgId, jobId);
  if (!recorded || recorded.lease_id !== leaseId || recorded.runner_id !== runner.id) return leaseLost();
  if (recorded.request_sha256 !== receiptSha256)
    return err(
      "completion-mismatch",
      "this lease already concluded the drill with another receipt; this one was not accepted and nothing was logged for it",
    );
  const { entry } = await finishCompletion(env, recorded, now);
  const { type } = JSON.parse(recorded.event) as { type: DrillResultResponse["type"] };
  return ok({ type, entry: entry.entry });
}

function leaseLost() {
  return err(
    "lease-lost" as const,
    "this lease is not current and no receipt was accepted under it: the job was re-queued, failed, or concluded by another attempt",
  );
}
