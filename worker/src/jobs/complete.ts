import {
  artifactUri,
  canonicalBytes,
  type DsseEnvelope,
  type EventDataOf,
  err,
  fromUtf8,
  type InclusionProof,
  ok,
  parseCheckpointNote,
  type Result,
  sha256,
  signManifest,
  toHex,
} from "@walwarden/verifier";
import type { CompleteRefusalCode, CompleteRequest, CompleteResponse } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { ledgerOf, unwrapLedger } from "../ledger/client.js";
import { signingKeys } from "../ledger/keys.js";
import { completionOf, finishCompletion, recordCompletion } from "./finish-completion.js";

/** The signed manifest, its log entry, the entry's inclusion proof and the checkpoint: what the runner writes next to the dump (the wire's CompleteResponse). */
export type Completed = CompleteResponse;

/** Why a complete was refused: the wire's refusal codes (what each guarantees is documented there), a bad result, or no keys. */
export type CompleteErrorCode = CompleteRefusalCode | "bad-result" | "keys";

interface JobRow {
  kind: string;
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
 * Every complete with the same body (`witness` aside; the first, or a retry after a lost answer or a failure anywhere
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
  const { witness, ...measured } = body;
  const { leaseId, artifactSha256, result } = measured;
  if (result.runner.id !== runner.id)
    return err("bad-result", `result.runner.id ${result.runner.id} is not the calling runner (${runner.id})`);
  if (Date.parse(result.completedAt) < Date.parse(result.startedAt))
    return err("bad-result", "result.completedAt is before result.startedAt");
  // What was measured, without the witness's size (SPEC §10 "Witnessed kits"): a retry may send another size.
  const requestSha256 = toHex(sha256(canonicalBytes(measured)));

  const job = await env.DB.prepare(
    "SELECT kind, database_id, backup_id, status, lease_id, lease_expires_at, runner_id FROM jobs WHERE id = ?1 AND org_id = ?2",
  )
    .bind(jobId, runner.orgId)
    .first<JobRow>();
  if (!job) return leaseLost();
  if (job.kind !== "backup")
    return err(
      "bad-result",
      `job ${jobId} is a ${job.kind}, not a backup: send its receipt to POST /v1/runner/jobs/${jobId}/drill`,
    );
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
      kind: "backup",
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
  const { entry, checkpoint } = await finishCompletion(env, recorded, now);
  const answer: Completed = {
    envelope: JSON.parse(recorded.envelope) as DsseEnvelope,
    entry: entry.entry,
    proof: entry.proof,
    checkpoint,
  };
  if (witness) answer.witnessProof = await witnessProofTo(env, runner.orgId, BigInt(witness.size), checkpoint);
  return ok(answer);
}

/**
 * The consistency proof a witnessing runner at `from` needs for the kit's checkpoint (SPEC §10 "Witnessed
 * kits"): none from size 0, at the checkpoint's own size, or from a larger size (the witness refuses that
 * as a rollback: it is what it is shown).
 */
async function witnessProofTo(env: Env, orgId: string, from: bigint, checkpoint: string): Promise<string[]> {
  const cp = parseCheckpointNote(checkpoint);
  if (!cp.ok) throw new Error(`the Ledger's checkpoint does not parse: ${cp.message}`);
  const to = cp.value.size;
  if (from === 0n || from >= to) return [];
  return unwrapLedger(await ledgerOf(env, orgId).consistency(orgId, Number(from), Number(to)));
}

function leaseLost() {
  return err(
    "lease-lost" as const,
    "this lease is not current and no completion was recorded under it: the job was re-queued, failed, or finished by another attempt; nothing was signed for it",
  );
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
