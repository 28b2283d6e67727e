import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { restoreStateOf } from "../log/restore-state.js";

/** What the human-readable report covers. */
export interface ReportInput {
  orgId: string;
  origin: string;
  period: { from: string; to: string };
  window: { start: number; end: number; head: number };
  entries: LogEntry[];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A deterministic `report.html` for auditors: backups per database, failures, restores with their
 * outcome and duration, and how to verify the bundle. Same input, same bytes; no scripts, no network.
 */
export function renderReportHtml(input: ReportInput): string {
  const completed = input.entries.filter((e): e is LogEntryOf<"backup.completed"> => e.type === "backup.completed");
  const failed = input.entries.filter((e): e is LogEntryOf<"backup.failed"> => e.type === "backup.failed");
  const perDb = new Map<string, { count: number; bytes: number; last: string }>();
  for (const e of completed) {
    const row = perDb.get(e.data.databaseId) ?? { count: 0, bytes: 0, last: "" };
    perDb.set(e.data.databaseId, { count: row.count + 1, bytes: row.bytes + e.data.artifact.sizeBytes, last: e.at > row.last ? e.at : row.last });
  }
  const restores = new Map<string, { backupId: string; first: string; last: string; state: string }>();
  for (const e of input.entries) {
    const state = restoreStateOf(e);
    if (!state) continue;
    const d = e.data as { restoreId: string; backupId: string };
    const r = restores.get(d.restoreId) ?? { backupId: d.backupId, first: e.at, last: e.at, state };
    restores.set(d.restoreId, { ...r, last: e.at, state });
  }
  const rows = (cells: string[][]) => cells.map((c) => `<tr>${c.map((x) => `<td>${esc(x)}</td>`).join("")}</tr>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Walwarden evidence: ${esc(input.orgId)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.25rem .5rem;text-align:left}th{background:#eee}</style>
</head><body>
<h1>Evidence for ${esc(input.orgId)}</h1>
<p>Period ${esc(input.period.from)} to ${esc(input.period.to)}. Log <code>${esc(input.origin)}</code>, entries ${input.window.start} to ${input.window.end - 1} of ${input.window.head}.</p>
<h2>Backups per database</h2>
<table><tr><th>database</th><th>completed backups</th><th>bytes</th><th>last completed</th></tr>
${rows([...perDb].sort(([a], [b]) => (a < b ? -1 : 1)).map(([db, r]) => [db, String(r.count), String(r.bytes), r.last]))}
</table>
<p>${failed.length} failed backup attempt(s) in the period.</p>
<h2>Restores</h2>
<table><tr><th>restore</th><th>backup</th><th>outcome</th><th>first seen</th><th>last transition</th><th>duration (s)</th></tr>
${rows([...restores].map(([id, r]) => [id, r.backupId, r.state, r.first, r.last, ((Date.parse(r.last) - Date.parse(r.first)) / 1000).toFixed(1)]))}
</table>
<h2>How to verify this bundle</h2>
<p>This page is a summary, not the proof. Verify the whole bundle offline with keys you obtained independently:</p>
<pre>npx walwarden-verify bundle evidence.zip --key &lt;checkpoint vkey&gt; --key &lt;manifest vkey&gt;</pre>
<p>The verifier checks the signed index of every file, the signed checkpoint, that the entries reproduce the log's root, every manifest against its log entry, and every restore against the restore state machine.</p>
</body></html>
`;
}
