import type { LogEntry } from "../log/entry.js";
import { checkRestoreHistory, restoreStateOf } from "../log/restore-state.js";
import { BundlePaths, RestoreHistoryFileSchema, type RestoreHistoryFile } from "./layout.js";
import { parseJsonFile } from "./parse-file.js";
import type { BundleFiles } from "./read-bundle.js";
import type { ReportBuilder } from "./report.js";

/** The restore history files a window's entries imply, by path. */
export function restoreHistories(kept: LogEntry[]): Map<string, RestoreHistoryFile> {
  const out = new Map<string, RestoreHistoryFile>();
  for (const e of kept) {
    const state = restoreStateOf(e);
    if (!state) continue;
    const d = e.data as { restoreId: string; backupId: string };
    const path = `${BundlePaths.restoresDir}${d.restoreId}.json`;
    const h = out.get(path) ?? { v: 1, restoreId: d.restoreId, backupId: d.backupId, transitions: [] };
    h.transitions.push({ seq: e.seq, state, at: e.at });
    out.set(path, h);
  }
  return out;
}

/**
 * Each restore's history file says exactly what the log says, and the log's transitions follow the
 * restore state machine. A history may begin before the window (its first states are then not in it).
 */
export function checkRestores(files: BundleFiles, kept: LogEntry[], report: ReportBuilder): void {
  const implied = restoreHistories(kept);
  const problems: string[] = [];
  for (const [path, want] of implied) {
    const got = parseJsonFile(files.get(path), RestoreHistoryFileSchema);
    if (!got.ok) problems.push(`${path}: ${got.message}`);
    else if (JSON.stringify(got.value) !== JSON.stringify(want)) problems.push(`${path} differs from the log's transitions`);
    const entries = kept.filter((e) => restoreStateOf(e) && (e.data as { restoreId: string }).restoreId === want.restoreId);
    const machine = checkRestoreHistory(entries, { partial: true });
    if (!machine.ok) problems.push(`restore ${want.restoreId}: ${machine.message}`);
  }
  for (const path of files.keys())
    if (path.startsWith(BundlePaths.restoresDir) && !implied.has(path)) problems.push(`${path} has no restore entries in the window`);
  report.expect("restores", "Restore histories match the log and the state machine", problems.length === 0, `${implied.size} restore(s) checked`, problems.slice(0, 5).join("; "));
}
