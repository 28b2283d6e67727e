import type { Ed25519Verify } from "../ed25519/ed25519.js";
import type { NamedVerifier } from "../dsse/envelope.js";
import type { Report } from "../bundle/report.js";
import { verifyManifest } from "./verify-manifest.js";

/**
 * verifyManifest as a report of named checks (signature, predicate, artifact digest): what the
 * `walwarden-verify manifest` command prints and the public verify endpoint answers.
 */
export function manifestReport(envelope: unknown, keys: NamedVerifier[], artifactSha256?: string, verifySignature?: Ed25519Verify): Report {
  const m = verifyManifest(envelope, keys, artifactSha256, verifySignature);
  if (!m.ok) return { verdict: "not-verified", failed: `manifest.${m.code}`, checks: [{ id: `manifest.${m.code}`, name: "Manifest verifies", status: "fail", detail: m.message }] };
  return {
    verdict: "verified",
    checks: [
      { id: "manifest.signature", name: "Manifest is signed by a pinned key", status: "pass", detail: m.value.signedBy.join(", ") },
      { id: "manifest.predicate", name: "Manifest is a valid pg-dump v1 statement", status: "pass", detail: `backup ${m.value.predicate.backupId} of ${m.value.predicate.databaseId}` },
      artifactSha256
        ? { id: "manifest.artifact", name: "Artifact matches the signed SHA-256", status: "pass", detail: artifactSha256 }
        : { id: "manifest.artifact", name: "Artifact matches the signed SHA-256", status: "skip", detail: "no artifact digest given" },
    ],
  };
}
