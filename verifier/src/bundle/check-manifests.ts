import type { ReportBuilder } from "./report.js";

/**
 * `manifests.jsonl` holds, line by line, the manifest of each backup.completed entry of the window in log
 * order: byte-identical to the one the log committed to (manifestSha256), signed by a pinned manifest
 * key, and describing the same artifact, size, backup, database and job. Nothing more, nothing less.
 * The lines are checked as they stream (streamManifests, checkManifestBatch); this records the verdict.
 */
export function checkManifests(completed: number, problems: string[], report: ReportBuilder): void {
  report.expect(
    "manifests",
    "Manifests match their log entries and verify",
    problems.length === 0,
    `${completed} manifest(s) verified`,
    problems.join("; "),
  );
}
