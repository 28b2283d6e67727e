import { toHex } from "../bytes/hex.js";
import type { Ed25519Verify } from "../ed25519/ed25519.js";
import type { Sha256 } from "../hash/sha256.js";
import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { verifyManifest } from "../manifest/verify-manifest.js";
import { BundlePaths } from "./layout.js";
import { fileText } from "./parse-file.js";
import type { VerifyPolicy } from "./policy.js";
import type { BundleFiles } from "./read-bundle.js";
import type { ReportBuilder } from "./report.js";

/**
 * Every backup.completed entry in the window has its manifest in the bundle, byte-identical to the one
 * the log committed to (manifestSha256), signed by a pinned manifest key, and describing the same
 * artifact, backup, database and job; and the bundle holds no manifest the log does not mention.
 */
export function checkManifests(files: BundleFiles, kept: LogEntry[], policy: VerifyPolicy, sha: Sha256, verifySignature: Ed25519Verify | undefined, report: ReportBuilder): void {
  const completed = kept.filter((e): e is LogEntryOf<"backup.completed"> => e.type === "backup.completed");
  const problems: string[] = [];
  const expected = new Set<string>();
  for (const e of completed) {
    const d = e.data;
    const path = `${BundlePaths.manifestsDir}${d.backupId}.json`;
    expected.add(path);
    const bytes = files.get(path);
    if (!bytes) {
      problems.push(`${path} is missing for entry ${e.seq}`);
      continue;
    }
    if (toHex(sha.digest(bytes)) !== d.manifestSha256) {
      problems.push(`${path} is not the manifest entry ${e.seq} committed to`);
      continue;
    }
    let envelope: unknown;
    try {
      envelope = JSON.parse(fileText(bytes) ?? "");
    } catch {
      problems.push(`${path} is not JSON`);
      continue;
    }
    const m = verifyManifest(envelope, policy.manifestKeys, d.artifact.sha256, verifySignature);
    if (!m.ok) {
      problems.push(`${path}: ${m.code}: ${m.message}`);
      continue;
    }
    const p = m.value.predicate;
    const mismatch = [
      p.backupId !== d.backupId && "backupId",
      p.databaseId !== d.databaseId && "databaseId",
      p.jobId !== d.jobId && "jobId",
      p.sizeBytes !== d.artifact.sizeBytes && "size",
      m.value.artifact.uri !== d.artifact.uri && "artifact URI",
    ].filter(Boolean);
    if (mismatch.length) problems.push(`${path} does not match entry ${e.seq}: ${mismatch.join(", ")}`);
  }
  for (const path of files.keys())
    if (path.startsWith(BundlePaths.manifestsDir) && !expected.has(path)) problems.push(`${path} has no backup.completed entry in the window`);
  report.expect("manifests", "Manifests match their log entries and verify", problems.length === 0, `${completed.length} manifest(s) verified`, problems.slice(0, 5).join("; "));
}
