import type { LogEntry } from "../log/entry.js";
import { recomputeExpiries } from "../retention/recompute.js";
import type { ReportBuilder } from "./report.js";

/**
 * Every `backup.expired` entry of the window recomputes from the window's own entries (SPEC §12): the
 * policy it names, applied at its `decidedAt` to the backups from the expired one's to then, says
 * `unkept`. One whose backup completed before the window is reported as not recomputable, not failed.
 */
export function checkRetention(kept: LogEntry[], report: ReportBuilder): void {
  const results = recomputeExpiries(kept);
  if (results.length === 0) {
    report.add(
      "retention",
      "Deletions recompute from the log with their policy",
      "skip",
      "no backup.expired entry in the window",
    );
    return;
  }
  const agrees = results.filter((r) => r.status === "agrees").length;
  const unknown = results.filter((r) => r.status === "unknown").length;
  const problems = results.flatMap((r) =>
    r.status === "disagrees" ? [`entry ${r.seq} (${r.backupId}): ${r.reasons.join("; ")}`] : [],
  );
  if (agrees === 0 && problems.length === 0) {
    report.add(
      "retention",
      "Deletions recompute from the log with their policy",
      "skip",
      `${unknown} deletion(s) of backups completed before the window: export from their completion to recompute them`,
    );
    return;
  }
  report.expect(
    "retention",
    "Deletions recompute from the log with their policy",
    problems.length === 0,
    `${agrees} deletion(s) recomputed: the policy expires each${unknown > 0 ? `; ${unknown} of backups completed before the window not recomputed` : ""}`,
    problems.slice(0, 5).join("; "),
  );
}
