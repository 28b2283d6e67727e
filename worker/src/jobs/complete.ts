import {
  artifactUri,
  canonicalBytes,
  type EventDataOf,
  err,
  fromUtf8,
  type InclusionProof,
  ok,
  type Result,
  sha256,
  signManifest,
  toHex,
} from "@walwarden/verifier";
import type { CompleteRefusalCode, CompleteRequest } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { ledgerOf, unwrapLedger } from "../ledger/client.js";
import { signingKeys } from "../ledger/keys.js";
import { type Completed, type CompletionRow, completionOf, finishCompletion } from "./finish-completion.js";
import { statusAllows } from "./job-machine.js";

export type { Completed } from "./finish-completion.js";

/** Why a complete was refused: the wire's refusal codes (what each guarantees is documented there), a bad result, or no keys. */
export type CompleteErrorCode = CompleteRefusalCode | "bad-result" | "keys";

interface JobRow {
  database_id: string;
  backup_id: string;
  status: string;
  lease_id: string | null;
  lease_expires_at: number | null;
  runner_id: string | null;
}

/**
 * Completes a job, idempotently per (job, lease): the first complete under a live lease records the
 * completion (request digest, signed envelope, log event) and moves the job to `completing` in one D1
 * transaction, before anything is logged; from then on the job keeps that lease and is never re-queued.
 * Every complete with the same body (the first, or a retry after a lost answer or a failure anywhere
 * after the record) then finishes it: the same log entry, the same manifest bytes. Another body under
 * that lease is `completion-mismatch`; a lease with no recorded completion that is no longer live is
 * `lease-lost`. Neither signs anything.
 */
export async function completeJob(
  env: Env,
  runner: { id: string; orgId: string },
  jobId: string,
  body: CompleteRequest,
  now: number,
): Promise<Result<Completed, CompleteErrorCode>> {
  const { leaseId, artifactSha256, result } = body;
  if (result.runner.id !== runner.id)
    return err("bad-result", `result.runner.id ${result.runner.id} is not the calling runner (${runner.id})`);
  if (Date.parse(result.completedAt) < Date.parse(result.startedAt))
    return err("bad-result", "result.completedAt is before result.startedAt");
  const requestSha256 = toHex(sha256(canonicalBytes(body)));

  const job = await env.DB.prepare(
    "SELECT database_id, backup_id, status, lease_id, lease_expires_at, runner_id FROM jobs WHERE id = ?1 AND org_id = ?2",
  )
    .bind(jobId, runner.orgId)
    .first<JobRow>();
  if (!job) return leaseLost();
  let recorded = await completionOf(env, runner.orgId, jobId);
  const live =
    job.status === "leased" &&
    job.lease_id === leaseId &&
    job.runner_id === runner.id &&
    (job.lease_expires_at ?? 0) >= now;
  if (!recorded && live) {
    const keys = signingKeys(env);
    if (!keys.ok) return keys;
    const predicate = { ...result, backupId: job.backup_id, orgId: runner.orgId, databaseId: job.database_id, jobId };
    const envelope = signManifest(predicate, artifactSha256, keys.value.manifest);
    const envelopeBytes = canonicalBytes(envelope);
    const data: EventDataOf<"backup.completed"> = {
      jobId,
      backupId: job.backup_id,
      databaseId: job.database_id,
      runnerId: runner.id,
      artifact: {
        uri: artifactUri(result.s3.bucket, result.s3.key),
        sha256: artifactSha256,
        sizeBytes: result.sizeBytes,
      },
      manifestSha256: toHex(sha256(envelopeBytes)),
    };
    const event = {
      type: "backup.completed",
      actor: `runner:${runner.id}`,
      subject: `database:${job.database_id}`,
      data,
    };
    recorded = await recordCompletion(env, {
      jobId,
      orgId: runner.orgId,
      leaseId,
      runnerId: runner.id,
      requestSha256,
      envelope: fromUtf8(envelopeBytes)!,
      logKey: `completed:${jobId}:${leaseId}`,
      event: JSON.stringify(event),
      startedAt: Date.parse(result.startedAt),
      completedAt: Date.parse(result.completedAt),
      now,
    });
  }
  // Not recorded by us: another complete may have recorded it since the job was read.
  recorded ??= await completionOf(env, runner.orgId, jobId);
  if (!recorded || recorded.lease_id !== leaseId || recorded.runner_id !== runner.id) return leaseLost();
  if (recorded.request_sha256 !== requestSha256)
    return err(
      "completion-mismatch",
      "this lease already completed with a different result (another artifact, size or measurement); nothing was signed for this one",
    );
  return ok(await finishCompletion(env, recorded, now));
}

function leaseLost() {
  return err(
    "lease-lost" as const,
    "this lease is not current and no completion was recorded under it: the job was re-queued, failed, or finished by another attempt; nothing was signed for it",
  );
}

/**
 * Records the completion and moves the job to `completing`, in one D1 transaction and only while the
 * lease is live; returns the completion now stored (ours, or one recorded first by a concurrent call).
 */
async function recordCompletion(
  env: Env,
  c: {
    jobId: string;
    orgId: string;
    leaseId: string;
    runnerId: string;
    requestSha256: string;
    envelope: string;
    logKey: string;
    event: string;
    startedAt: number;
    completedAt: number;
    now: number;
  },
): Promise<CompletionRow | null> {
  const [, , stored] = await env.DB.batch<CompletionRow>([
    env.DB.prepare(
      `INSERT OR IGNORE INTO job_completions (job_id, org_id, kind, lease_id, attempt, runner_id, request_sha256, envelope, log_key, event, started_at, completed_at, created_at)
       SELECT id, org_id, kind, lease_id, attempt, runner_id, ?5, ?6, ?7, ?8, ?9, ?10, ?11 FROM jobs
       WHERE id = ?1 AND org_id = ?2 AND lease_id = ?3 AND runner_id = ?4 AND ${statusAllows("recordCompletion")}
         AND lease_expires_at >= ?11`,
    ).bind(
      c.jobId,
      c.orgId,
      c.leaseId,
      c.runnerId,
      c.requestSha256,
      c.envelope,
      c.logKey,
      c.event,
      c.startedAt,
      c.completedAt,
      c.now,
    ),
    env.DB.prepare(
      `UPDATE jobs SET status = 'completing'
       WHERE id = ?1 AND lease_id = ?2 AND ${statusAllows("recordCompletion")}
         AND EXISTS (SELECT 1 FROM job_completions WHERE job_id = ?1 AND lease_id = ?2)`,
    ).bind(c.jobId, c.leaseId),
    env.DB.prepare("SELECT * FROM job_completions WHERE job_id = ?1 AND org_id = ?2").bind(c.jobId, c.orgId),
  ]);
  return stored?.results[0] ?? null;
}

/** The inclusion proof of a logged entry in the org's current tree, with that tree's checkpoint. */
export async function currentProof(
  env: Env,
  orgId: string,
  seq: number,
): Promise<{ proof: InclusionProof; checkpoint: string }> {
  const ledger = ledgerOf(env, orgId);
  const { checkpoint, treeSize } = unwrapLedger(await ledger.checkpoint(orgId));
  const proof = unwrapLedger(await ledger.inclusion(orgId, seq, treeSize));
  return { proof, checkpoint };
}
