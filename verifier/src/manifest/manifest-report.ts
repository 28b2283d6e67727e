import type { Ed25519Verify } from "../ed25519/ed25519.js";
import type { NamedVerifier } from "../dsse/envelope.js";
import { ReportBuilder, type Report } from "../bundle/report.js";
import { verifyManifest, type VerifiedManifest } from "./verify-manifest.js";

/**
 * verifyManifest as a report of named checks (signature, predicate, artifact digest): what the
 * `walwarden-verify manifest` command prints and the public verify endpoint answers.
 */
export function manifestReport(
  envelope: unknown,
  keys: NamedVerifier[],
  artifactSha256?: string,
  verifySignature?: Ed25519Verify,
): Report {
  const report = new ReportBuilder();
  manifestChecks(report, envelope, keys, artifactSha256, verifySignature);
  return report.build();
}

/**
 * Adds verifyManifest's outcome to a report: `manifest.signature`, `manifest.predicate` and
 * `manifest.artifact` (skip without a digest), or one failed `manifest.<code>`. Returns the verified
 * manifest, or undefined if it failed.
 */
export function manifestChecks(
  report: ReportBuilder,
  envelope: unknown,
  keys: NamedVerifier[],
  artifactSha256?: string,
  verifySignature?: Ed25519Verify,
): VerifiedManifest | undefined {
  const m = verifyManifest(envelope, keys, artifactSha256, verifySignature);
  if (!m.ok) {
    report.add(`manifest.${m.code}`, "Manifest verifies", "fail", m.message);
    return undefined;
  }
  report.add("manifest.signature", "Manifest is signed by a pinned key", "pass", m.value.signedBy.join(", "));
  report.add(
    "manifest.predicate",
    "Manifest is a valid pg-dump v1 statement",
    "pass",
    `backup ${m.value.predicate.backupId} of ${m.value.predicate.databaseId}`,
  );
  if (artifactSha256) report.add("manifest.artifact", "Artifact matches the signed SHA-256", "pass", artifactSha256);
  else report.add("manifest.artifact", "Artifact matches the signed SHA-256", "skip", "no artifact digest given");
  return m.value;
}
