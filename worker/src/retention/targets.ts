import {
  type PgDumpPredicate,
  ok,
  type Result,
  type RetentionPolicy,
  type RetentionVerdict,
  retentionDecision,
} from "@walwarden/verifier";
import { MAX_PRUNE_TARGETS, type PruneTarget } from "@walwarden/verifier/wire";
import { storedStatement } from "../jobs/drill-job.js";
import { iso } from "../lib/time.js";
import type { LiveBackup } from "./inputs.js";

/** One database's decision now: every verdict, and the backups to ask its runner to delete. */
export interface Expiring {
  verdicts: RetentionVerdict[];
  /**
   * Expired by the decision, not busy, eligible: oldest first, at most MAX_PRUNE_TARGETS. Oldest first is
   * also the order their backup.expired entries are logged in, so an auditor who leaves out the backups
   * expired earlier in the log leaves out only older ones, which no decision of a newer backup depends on.
   */
  targets: LiveBackup[];
}

/**
 * Decides one database with the verifier's retentionDecision (SPEC §12) over its live backups, the protected
 * one (its newest passing drill's backup) passed as protected, and picks the expired ones that may be asked
 * for now. Fails only for a zone this runtime does not know.
 */
export function expiringNow(
  backups: LiveBackup[],
  policy: RetentionPolicy,
  now: number,
): Result<Expiring, "unknown-timezone"> {
  const protectedIds = new Set(backups.filter((b) => b.protected).map((b) => b.backupId));
  const decided = retentionDecision(backups, policy, now, protectedIds);
  if (!decided.ok) return decided;
  const byId = new Map(backups.map((b) => [b.backupId, b]));
  const targets = decided.value
    .filter((v) => !v.keep)
    .map((v) => byId.get(v.backupId)!)
    .filter((b) => b.eligible && !b.busy)
    .reverse()
    .slice(0, MAX_PRUNE_TARGETS);
  return ok({ verdicts: decided.value, targets });
}

/** What a target is built from: the backup's id, its stored manifest (JCS text) and that manifest's SHA-256. */
export interface TargetSource {
  id: string;
  envelope: string;
  manifest_sha256: string;
}

/**
 * A prune target (the wire's PruneTarget) from a backup's signed manifest: the artifact's bucket, key,
 * version and ETag as the predicate names them, the SHA-256 the statement's subject signs, the manifest's
 * SHA-256, and `at` (its backup.completed entry's instant) as completedAt.
 */
export function pruneTargetOf(source: TargetSource, at: number): PruneTarget {
  const manifest = storedStatement<PgDumpPredicate>(source.envelope);
  const { bucket, key, versionId, etag } = manifest.predicate.s3;
  return {
    backupId: source.id,
    completedAt: iso(at),
    artifact: { bucket, key, versionId: versionId ?? null, etag, sha256: manifest.subject[0]!.digest.sha256 },
    manifestSha256: source.manifest_sha256,
    reason: "unkept",
  };
}
