import { formatBytes, formatDuration, formatRate } from "../format.js";

/** What a finished restore (or dry run) did: printed as text, or as one JSON object with --json. */
export interface RestoreSummary {
  restoreId: string;
  backupId: string;
  orgId: string;
  databaseId: string;
  dryRun: boolean;
  /** user@host:port/db, or null for a dry run. */
  target: string | null;
  artifact: { bytes: number; sha256: string; resumes: number; keptAt: string | null };
  pgDumpVersion: string;
  pgRestore: { path: string; version: string } | null;
  keys: "flag" | "pinned" | "first-use";
  signedBy: string[];
  durationsMs: {
    /** From sending the claim to its answer (the preflight ran meanwhile). */
    claim: number;
    download: number;
    verify: number;
    decompress: number | null;
    restore: number | null;
    check: number | null;
    total: number;
  };
  /** Tables whose rows were checked against the manifest (none for a dry run). */
  tables: { schema: string; name: string; rows: number }[];
  rows: number;
}

/** The summary for people. */
export function formatSummary(summary: RestoreSummary): string {
  const durations = summary.durationsMs;
  const lines = [
    summary.dryRun
      ? `Verified backup ${summary.backupId} (restore ${summary.restoreId}, dry run: nothing was restored).`
      : `Restored backup ${summary.backupId} into ${summary.target} (restore ${summary.restoreId}).`,
    `  download    ${formatBytes(summary.artifact.bytes)} in ${formatDuration(durations.download)} (${formatRate(durations.download > 0 ? (1000 * summary.artifact.bytes) / durations.download : 0)})${summary.artifact.resumes ? `, resumed ${summary.artifact.resumes}×` : ""}`,
    `  verify      SHA-256 ${summary.artifact.sha256}, manifest signed by ${summary.signedBy.join(", ")}, in the log (${formatDuration(durations.verify)})`,
  ];
  if (durations.decompress !== null) lines.push(`  decompress  ${formatDuration(durations.decompress)}`);
  if (durations.restore !== null)
    lines.push(`  pg_restore  ${summary.pgRestore?.version ?? ""} in ${formatDuration(durations.restore)}`);
  if (durations.check !== null)
    lines.push(
      `  check       ${summary.tables.length} table${summary.tables.length === 1 ? "" : "s"}, ${summary.rows.toLocaleString("en-US")} rows, as the manifest recorded (${formatDuration(durations.check)})`,
    );
  if (summary.dryRun && summary.pgRestore)
    lines.push(
      `  pg_restore  ${summary.pgRestore.version} (${summary.pgRestore.path}) can read it (made by pg_dump ${summary.pgDumpVersion})`,
    );
  if (summary.artifact.keptAt) lines.push(`  kept        ${summary.artifact.keptAt}`);
  lines.push(`  total       ${formatDuration(durations.total)}`);
  return `${lines.join("\n")}\n`;
}
