import {
  artifactUri,
  canonicalBytes,
  err,
  ok,
  signManifest,
  toHex,
  sha256,
  type DsseEnvelope,
  type InclusionProof,
  type Result,
} from "@walwarden/verifier";
import type { CompleteRequestSchema } from "@walwarden/verifier/wire";
import type { z } from "zod";
import type { Env } from "../env.js";
import { appendToLog, ledgerOf, unwrapLedger } from "../ledger/client.js";
import { signingKeys } from "../ledger/keys.js";
import { flushOutbox } from "../log/outbox.js";

type CompleteRequest = z.infer<typeof CompleteRequestSchema>;

/** The signed manifest, its log entry, the entry's inclusion proof and the checkpoint: what the runner writes next to the dump. */
export interface Completed {
  envelope: DsseEnvelope;
  /** The backup.completed entry's exact JCS text, as stored in the log (its leaf hash is what the proof proves). */
  entry: string;
  proof: InclusionProof;
  checkpoint: string;
}

/** Why a complete was refused. */
export type CompleteErrorCode = "lease-lost" | "bad-result" | "keys";

interface JobRow {
  id: string;
  org_id: string;
  database_id: string;
  backup_id: string;
  status: string;
}

/**
 * Completes a job, fenced by its lease: the job moves to `completing` (no one else can lease it now), the
 * Worker builds the in-toto statement from the runner's result plus the ids it owns, signs the DSSE
 * envelope, appends backup.completed to the log and records the backup. A retry with the same lease after
 * a crash anywhere in between produces the same signed envelope (Ed25519 is deterministic) and the same
 * log entry (appended once, by key), so complete is safe to repeat.
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
  const keys = signingKeys(env);
  if (!keys.ok) return keys;

  const job = await env.DB.prepare(
    `UPDATE jobs SET status = CASE WHEN status = 'succeeded' THEN status ELSE 'completing' END
     WHERE id = ?1 AND org_id = ?2 AND lease_id = ?3 AND runner_id = ?4
       AND ((status IN ('leased', 'completing') AND lease_expires_at >= ?5) OR status = 'succeeded')
     RETURNING id, org_id, database_id, backup_id, status`,
  )
    .bind(jobId, runner.orgId, leaseId, runner.id, now)
    .first<JobRow>();
  if (!job) return err("lease-lost", "this lease is not current: the job was re-queued or finished by another attempt");

  const predicate = { ...result, backupId: job.backup_id, orgId: runner.orgId, databaseId: job.database_id, jobId };
  const envelope = signManifest(predicate, artifactSha256, keys.value.manifest);
  const manifestSha256 = toHex(sha256(canonicalBytes(envelope)));

  await flushOutbox(env, runner.orgId);
  const appended = await appendToLog(env, runner.orgId, [
    {
      key: `completed:${jobId}:${leaseId}`,
      type: "backup.completed",
      actor: `runner:${runner.id}`,
      subject: `database:${job.database_id}`,
      data: {
        jobId,
        backupId: job.backup_id,
        databaseId: job.database_id,
        runnerId: runner.id,
        artifact: {
          uri: artifactUri(result.s3.bucket, result.s3.key),
          sha256: artifactSha256,
          sizeBytes: result.sizeBytes,
        },
        manifestSha256,
      },
    },
  ]);
  const entry = appended.entries[0]!;
  const startedAt = Date.parse(result.startedAt);
  const completedAt = Date.parse(result.completedAt);
  await env.DB.batch([
    env.DB.prepare(
      "UPDATE jobs SET status = 'succeeded', finished_at = ?1, last_error = NULL WHERE id = ?2 AND lease_id = ?3",
    ).bind(now, jobId, leaseId),
    env.DB.prepare(
      `INSERT OR IGNORE INTO backups (id, org_id, database_id, job_id, runner_id, artifact_uri, sha256, size_bytes, manifest_sha256, envelope, log_seq, started_at, completed_at, duration_ms)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)`,
    ).bind(
      job.backup_id,
      runner.orgId,
      job.database_id,
      jobId,
      runner.id,
      artifactUri(result.s3.bucket, result.s3.key),
      artifactSha256,
      result.sizeBytes,
      manifestSha256,
      JSON.stringify(envelope),
      entry.seq,
      startedAt,
      completedAt,
      completedAt - startedAt,
    ),
  ]);
  return ok({ envelope, entry: entry.entry, proof: entry.proof, checkpoint: appended.checkpoint });
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
