import { toHex } from "../bytes/hex.js";
import type { Ed25519Verify } from "../ed25519/ed25519.js";
import type { Sha256 } from "../hash/sha256.js";
import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { verifyManifest } from "../manifest/verify-manifest.js";
import { BundlePaths } from "./layout.js";
import { lineBytes } from "./lines.js";
import { fileText } from "./parse-file.js";
import type { VerifyPolicy } from "./policy.js";
import type { BundleFiles } from "./read-bundle.js";
import type { ReportBuilder } from "./report.js";

/**
 * `manifests.jsonl` holds, line by line, the manifest of each backup.completed entry of the window in log
 * order: byte-identical to the one the log committed to (manifestSha256), signed by a pinned manifest
 * key, and describing the same artifact, size, backup, database and job. Nothing more, nothing less.
 */
export function checkManifests(
  files: BundleFiles,
  kept: LogEntry[],
  policy: VerifyPolicy,
  sha: Sha256,
  verifySignature: Ed25519Verify | undefined,
  report: ReportBuilder,
): void {
  const completed = kept.filter((e): e is LogEntryOf<"backup.completed"> => e.type === "backup.completed");
  const lines = lineBytes(files.get(BundlePaths.manifests) ?? new Uint8Array([0]));
  const problems: string[] = [];
  if (!lines) problems.push(`${BundlePaths.manifests} is missing or not newline-terminated lines`);
  else if (lines.length !== completed.length)
    problems.push(`${lines.length} manifests for ${completed.length} backup.completed entries`);
  else
    for (let i = 0; i < completed.length && problems.length < 5; i++) {
      const d = completed[i]!.data;
      const where = `manifest ${i + 1} (entry ${completed[i]!.seq}, ${d.backupId})`;
      const bytes = lines[i]!;
      if (toHex(sha.digest(bytes)) !== d.manifestSha256) {
        problems.push(`${where} is not the manifest the log committed to`);
        continue;
      }
      let envelope: unknown;
      try {
        envelope = JSON.parse(fileText(bytes) ?? "");
      } catch {
        problems.push(`${where} is not JSON`);
        continue;
      }
      const m = verifyManifest(envelope, policy.manifestKeys, d.artifact.sha256, verifySignature);
      if (!m.ok) {
        problems.push(`${where}: ${m.code}: ${m.message}`);
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
      if (mismatch.length) problems.push(`${where} does not match its entry: ${mismatch.join(", ")}`);
    }
  report.expect(
    "manifests",
    "Manifests match their log entries and verify",
    problems.length === 0,
    `${completed.length} manifest(s) verified`,
    problems.join("; "),
  );
}
