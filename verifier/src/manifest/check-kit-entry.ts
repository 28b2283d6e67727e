import type { ReportBuilder } from "../bundle/report.js";
import { toHex } from "../bytes/hex.js";
import type { Sha256 } from "../hash/sha256.js";
import { canonicalBytes } from "../jcs/canonicalize.js";
import { decodeEntry, type LogEntry } from "../log/entry.js";
import type { VerifiedManifest } from "./verify-manifest.js";

const NAME = "Log entry is this backup's backup.completed";

/** SHA-256 (hex) of the envelope's JCS bytes, as the Worker logs it in manifestSha256; undefined if it has no JCS form. */
function manifestSha256(envelope: unknown, sha: Sha256): string | undefined {
  try {
    return toHex(sha.digest(canonicalBytes(envelope)));
  } catch {
    return undefined;
  }
}

/**
 * `kit.entry`: the entry bytes are canonical JCS of a valid `backup.completed` entry whose data is the
 * manifest's: backupId, databaseId, jobId, runnerId, artifact uri, SHA-256 and size, and manifestSha256 =
 * SHA-256 of the envelope's JCS bytes. Returns the decoded entry (even if it does not match, so that
 * its inclusion can still be checked), or undefined if it does not decode.
 */
export function checkKitEntry(
  bytes: Uint8Array,
  envelope: unknown,
  manifest: VerifiedManifest,
  sha: Sha256,
  report: ReportBuilder,
): LogEntry | undefined {
  const decoded = decodeEntry(bytes);
  if (!decoded.ok) {
    report.add("kit.entry", NAME, "fail", `${decoded.code}: ${decoded.message}`);
    return undefined;
  }
  const e = decoded.value;
  if (e.type !== "backup.completed") {
    report.add("kit.entry", NAME, "fail", `entry ${e.seq} is ${e.type}, not backup.completed`);
    return e;
  }
  const p = manifest.predicate;
  const d = e.data;
  const pairs: [string, unknown, unknown][] = [
    ["backupId", d.backupId, p.backupId],
    ["databaseId", d.databaseId, p.databaseId],
    ["jobId", d.jobId, p.jobId],
    ["runnerId", d.runnerId, p.runner.id],
    ["artifact.uri", d.artifact.uri, manifest.artifact.uri],
    ["artifact.sha256", d.artifact.sha256, manifest.artifact.sha256],
    ["artifact.sizeBytes", d.artifact.sizeBytes, p.sizeBytes],
    ["manifestSha256", d.manifestSha256, manifestSha256(envelope, sha) ?? "(the envelope has no JCS form)"],
  ];
  const mismatches = pairs
    .filter(([, got, want]) => got !== want)
    .map(([field, got, want]) => `${field} is ${JSON.stringify(got)}, the manifest's is ${JSON.stringify(want)}`);
  report.expect(
    "kit.entry",
    NAME,
    mismatches.length === 0,
    `entry ${e.seq}: backup ${d.backupId}, manifest ${d.manifestSha256}`,
    `entry ${e.seq} is not this backup's: ${mismatches.join("; ")}`,
  );
  return e;
}
