import {
  backupKitReport,
  err,
  INTOTO_PAYLOAD_TYPE,
  ok,
  parseCanonical,
  PgDumpPredicateSchema,
  type PgDumpPredicate,
  type Result,
  fromBase64,
  StatementSchema,
  toHex,
  verifyManifest,
  type VerifyPolicy,
} from "@walwarden/verifier";
import { nativeEd25519Verify, nativeSha256 } from "@walwarden/verifier/node";
import type { ClaimedDrillJob } from "../api/worker-api.js";
import type { ReadKit } from "./read-kit.js";

/** What the drill knows of the backup once its kit verified. */
export interface VerifiedKit {
  predicate: PgDumpPredicate;
  /** The SHA-256 the manifest signed: the downloaded bytes must hash to it. */
  artifactSha256: string;
}

/**
 * Verifies the kit for the claimed drill: its manifest bytes hash to the job's manifestSha256 (the log's
 * `backup.completed`), `backupKitReport` passes against the pinned keys (manifest signature, checkpoint,
 * entry, inclusion), and the manifest is for the job's backup, database and org and names the job's
 * artifact (bucket, key, SHA-256, size). Each failure names what differs.
 */
export function verifyKit(read: ReadKit, job: ClaimedDrillJob, policy: VerifyPolicy): Result<VerifiedKit, "verify"> {
  const manifestSha256 = toHex(nativeSha256.digest(read.manifestBytes));
  if (manifestSha256 !== job.manifestSha256)
    return err(
      "verify",
      `the kit's manifest.json hashes to ${manifestSha256}, not the ${job.manifestSha256} the log's backup.completed names`,
    );
  const report = backupKitReport(read.kit, policy, undefined, { sha256: nativeSha256, ed25519: nativeEd25519Verify });
  if (report.verdict !== "verified") {
    const failed = report.checks.filter((c) => c.status === "fail").map((c) => `${c.id}: ${c.detail}`);
    return err("verify", `the kit does not verify against the pinned keys: ${failed.join("; ") || "no check passed"}`);
  }
  const manifest = verifyManifest(read.kit.envelope, policy.manifestKeys, undefined, nativeEd25519Verify);
  if (!manifest.ok) return err("verify", `manifest.${manifest.code}: ${manifest.message}`);
  const p = manifest.value.predicate;
  const wrong = [
    p.backupId !== job.backupId && `backup ${p.backupId}, not ${job.backupId}`,
    p.databaseId !== job.databaseId && `database ${p.databaseId}, not ${job.databaseId}`,
    p.orgId !== job.orgId && `org ${p.orgId}, not ${job.orgId}`,
    (p.s3.bucket !== job.artifact.bucket || p.s3.key !== job.artifact.key) &&
      `artifact s3://${p.s3.bucket}/${p.s3.key}, not s3://${job.artifact.bucket}/${job.artifact.key}`,
    manifest.value.artifact.sha256 !== job.artifact.sha256 &&
      `artifact SHA-256 ${manifest.value.artifact.sha256}, not ${job.artifact.sha256}`,
    p.sizeBytes !== job.artifact.sizeBytes && `${p.sizeBytes} bytes, not ${job.artifact.sizeBytes}`,
  ].filter((w): w is string => typeof w === "string");
  if (wrong.length) return err("verify", `the signed manifest does not match the drill: it is for ${wrong.join(", ")}`);
  return ok({ predicate: p, artifactSha256: manifest.value.artifact.sha256 });
}

/**
 * The manifest's predicate read without checking its signature: for a failed receipt's expected numbers
 * (tables, fingerprint) when the kit did not verify. Undefined if the manifest is not even a predicate.
 */
export function unverifiedPredicate(envelope: unknown): PgDumpPredicate | undefined {
  const payload = (envelope as { payload?: unknown; payloadType?: unknown } | null)?.payload;
  if (typeof payload !== "string" || (envelope as { payloadType?: unknown }).payloadType !== INTOTO_PAYLOAD_TYPE)
    return undefined;
  const bytes = fromBase64(payload);
  if (!bytes) return undefined;
  const json = parseCanonical(bytes);
  if (!json.ok) return undefined;
  const st = StatementSchema.safeParse(json.value);
  if (!st.success) return undefined;
  const p = PgDumpPredicateSchema.safeParse(st.data.predicate);
  return p.success ? p.data : undefined;
}
