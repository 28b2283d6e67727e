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
export function formatSummary(s: RestoreSummary): string {
  const d = s.durationsMs;
  const lines = [
    s.dryRun
      ? `Verified backup ${s.backupId} (restore ${s.restoreId}, dry run: nothing was restored).`
      : `Restored backup ${s.backupId} into ${s.target} (restore ${s.restoreId}).`,
    `  download    ${formatBytes(s.artifact.bytes)} in ${formatDuration(d.download)} (${formatRate(d.download > 0 ? (1000 * s.artifact.bytes) / d.download : 0)})${s.artifact.resumes ? `, resumed ${s.artifact.resumes}×` : ""}`,
    `  verify      SHA-256 ${s.artifact.sha256}, manifest signed by ${s.signedBy.join(", ")}, in the log (${formatDuration(d.verify)})`,
  ];
  if (d.decompress !== null) lines.push(`  decompress  ${formatDuration(d.decompress)}`);
  if (d.restore !== null) lines.push(`  pg_restore  ${s.pgRestore?.version ?? ""} in ${formatDuration(d.restore)}`);
  if (d.check !== null)
    lines.push(
      `  check       ${s.tables.length} table${s.tables.length === 1 ? "" : "s"}, ${s.rows.toLocaleString("en-US")} rows, as the manifest recorded (${formatDuration(d.check)})`,
    );
  if (s.dryRun && s.pgRestore)
    lines.push(
      `  pg_restore  ${s.pgRestore.version} (${s.pgRestore.path}) can read it (made by pg_dump ${s.pgDumpVersion})`,
    );
  if (s.artifact.keptAt) lines.push(`  kept        ${s.artifact.keptAt}`);
  lines.push(`  total       ${formatDuration(d.total)}`);
  return `${lines.join("\n")}\n`;
}
