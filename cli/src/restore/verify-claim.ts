import {
  backupKitReport,
  err,
  ok,
  policyFromVkeys,
  verifyManifest,
  type PgDumpPredicate,
  type Report,
  type Result,
} from "@walwarden/verifier";
import { nativeEd25519Verify, nativeSha256 } from "@walwarden/verifier/node";
import type { ClaimedRestore } from "../api/restore-api.js";
import type { TrustedKeys } from "../keys/trusted-keys.js";

/** A backup whose kit verified: its signed predicate and the report. */
export interface VerifiedBackup {
  predicate: PgDumpPredicate;
  signedBy: string[];
  report: Report;
}

/**
 * Verifies the claim's walk-away kit (manifest, log entry, inclusion proof, checkpoint) against the
 * trusted keys, never keys from the claim, and with the downloaded file's SHA-256 when given (without it
 * the artifact check is skipped: a check before downloading). Then the manifest must be for the backup,
 * org and database the Worker claimed, and of the size it announced. Any failed check fails, naming it.
 */
export function verifyClaim(
  claim: ClaimedRestore,
  keys: TrustedKeys,
  artifactSha256: string | undefined,
): Result<VerifiedBackup, "verify"> {
  const policy = policyFromVkeys(
    keys.vkeys,
    keys.origin !== undefined ? { origin: `${keys.origin}/${claim.orgId}` } : {},
  );
  if (!policy.ok) return err("verify", `the trusted keys are not usable: ${policy.message}`);
  const kit = { envelope: claim.envelope, entry: claim.entry, proof: claim.proof, checkpoint: claim.checkpoint };
  const report = backupKitReport(kit, policy.value, artifactSha256, {
    sha256: nativeSha256,
    ed25519: nativeEd25519Verify,
  });
  if (report.verdict !== "verified") {
    const failed = report.checks
      .filter((check) => check.status === "fail")
      .map((check) => `${check.id}: ${check.detail}`);
    return err(
      "verify",
      `the backup is not verified against the ${keys.source === "flag" ? "--key" : "pinned"} keys: ${failed.join("; ") || "no check passed"}`,
    );
  }
  const manifest = verifyManifest(claim.envelope, policy.value.manifestKeys, artifactSha256, nativeEd25519Verify);
  if (!manifest.ok) return err("verify", `the backup is not verified: manifest.${manifest.code}: ${manifest.message}`);
  const predicate = manifest.value.predicate;
  const mismatches = [
    predicate.orgId !== claim.orgId && `org ${predicate.orgId}, not the claimed ${claim.orgId}`,
    predicate.backupId !== claim.backupId && `backup ${predicate.backupId}, not the claimed ${claim.backupId}`,
    predicate.databaseId !== claim.databaseId &&
      `database ${predicate.databaseId}, not the claimed ${claim.databaseId}`,
    predicate.sizeBytes !== claim.download.sizeBytes &&
      `${predicate.sizeBytes} bytes, not the ${claim.download.sizeBytes} the Worker announced`,
  ].filter((mismatch): mismatch is string => typeof mismatch === "string");
  if (mismatches.length)
    return err("verify", `the signed manifest does not match the claim: it is for ${mismatches.join(", ")}`);
  return ok({ predicate, signedBy: manifest.value.signedBy, report });
}
