import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  artifactUri,
  canonicalBytes,
  clipText,
  type DrillFailurePhase,
  drillFindings,
  type DrillPredicate,
  drillReceiptKey,
  type DsseEnvelope,
  type NamedSigner,
  signDrillReceipt,
} from "@walwarden/verifier";
import type { ClaimedDrillJob } from "../api/worker-api.js";
import { BACKUP_METADATA, type Retention } from "../kit/write-kit.js";

/** What a drill measured, phase by phase; undefined/null where a phase did not get that far. */
export interface DrillMeasures {
  startedAt: Date;
  completedAt: Date;
  /** A failure decided before the findings (kit not verified, no target, pg_restore failed). */
  failure?: { phase: DrillFailurePhase; reason: string };
  downloadedSha256: string | null;
  target: DrillPredicate["target"];
  pgRestore: DrillPredicate["pgRestore"];
  tables: DrillPredicate["tables"];
  fingerprint: { expected: string; actual: string | null };
  assertions: DrillPredicate["assertions"];
  phases: DrillPredicate["phases"];
  targetSetupMs: number | null;
  runner: DrillPredicate["runner"];
}

/** Which phase a finding belongs to (drillFindings' order: download, pg_restore, counts, fingerprint, assertions, RTO). */
function phaseOfFinding(f: string): DrillFailurePhase {
  if (f.startsWith("the downloaded bytes") || f.startsWith("the artifact was not downloaded")) return "verify";
  if (f.startsWith("pg_restore")) return "restore";
  if (f.startsWith("RTO ")) return "rto";
  return "checks";
}

/**
 * The receipt's predicate: the measurements, the RTO as the sum of the phases, and the outcome from
 * drillFindings (the verifier recomputes it): passed only with no finding and no earlier failure; else
 * the earlier failure, or the first finding's phase with every finding as the reason.
 */
export function drillPredicate(job: ClaimedDrillJob, m: DrillMeasures): DrillPredicate {
  const rtoMs = m.phases.downloadVerifyMs + (m.phases.restoreMs ?? 0) + (m.phases.checksMs ?? 0);
  const p: DrillPredicate = {
    drillId: job.drillId,
    orgId: job.orgId,
    databaseId: job.databaseId,
    backupId: job.backupId,
    jobId: job.jobId,
    manifestSha256: job.manifestSha256,
    startedAt: m.startedAt.toISOString(),
    completedAt: m.completedAt.toISOString(),
    outcome: "passed",
    failure: null,
    downloadedSha256: m.downloadedSha256,
    target: m.target,
    pgRestore: m.pgRestore,
    tables: m.tables,
    schemaFingerprint: m.fingerprint,
    assertions: m.assertions,
    phases: m.phases,
    targetSetupMs: m.targetSetupMs,
    rto: { ms: rtoMs, targetMs: job.maxRtoSeconds === null ? null : job.maxRtoSeconds * 1000 },
    runner: m.runner,
  };
  const findings = drillFindings(p, job.artifact.sha256);
  if (!m.failure && findings.length === 0) return p;
  const failure = m.failure ?? { phase: phaseOfFinding(findings[0]!), reason: findings.join("; ") };
  return { ...p, outcome: "failed", failure: { phase: failure.phase, reason: clipText(failure.reason, 2000) } };
}

/** The artifact a receipt is about: its s3:// URI and the SHA-256 its manifest signed (the job's). */
export function receiptSubject(job: ClaimedDrillJob): { uri: string; sha256: string } {
  return { uri: artifactUri(job.artifact.bucket, job.artifact.key), sha256: job.artifact.sha256 };
}

/** Signs the receipt with the runner's registered key. */
export function signReceipt(job: ClaimedDrillJob, predicate: DrillPredicate, signer: NamedSigner): DsseEnvelope {
  return signDrillReceipt(predicate, receiptSubject(job), signer);
}

/** Writes the receipt's JCS bytes next to the kit (`…/<backupId>.drill-<drillId>.json`), locked like the kit when configured. */
export async function storeReceipt(
  s3: S3Client,
  bucket: string,
  job: ClaimedDrillJob,
  receipt: DsseEnvelope,
  retention: Retention | undefined,
): Promise<string> {
  const key = drillReceiptKey(job.artifact.key, job.drillId);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: canonicalBytes(receipt),
      ContentType: "application/json",
      Metadata: { [BACKUP_METADATA]: job.backupId },
      ...(retention ? { ObjectLockMode: retention.mode, ObjectLockRetainUntilDate: retention.retainUntil } : {}),
    }),
  );
  return key;
}
