import { bytesEqual } from "../bytes/compare.js";
import { canonicalBytes } from "../jcs/canonicalize.js";
import type { LogEntry } from "../log/entry.js";
import { checkRestoreHistory, restoreStateOf } from "../log/restore-state.js";
import { BundlePaths, type RestoreHistoryFile } from "./layout.js";
import { joinLines } from "./lines.js";
import type { BundleFiles } from "./read-bundle.js";
import type { ReportBuilder } from "./report.js";

/** The restore histories a window's entries imply, ordered by each restore's first transition. */
export function restoreHistories(kept: LogEntry[]): RestoreHistoryFile[] {
  const byId = new Map<string, RestoreHistoryFile>();
  for (const e of kept) {
    const state = restoreStateOf(e);
    if (!state) continue;
    const d = e.data as { restoreId: string; backupId: string };
    const h = byId.get(d.restoreId) ?? { v: 1, restoreId: d.restoreId, backupId: d.backupId, transitions: [] };
    h.transitions.push({ seq: e.seq, state, at: e.at });
    byId.set(d.restoreId, h);
  }
  return [...byId.values()];
}

/**
 * `restores.jsonl` says exactly what the log says (one JCS line per restore, byte for byte), and every
 * restore's transitions follow the restore state machine. A history may begin before the window.
 */
export function checkRestores(files: BundleFiles, kept: LogEntry[], report: ReportBuilder): void {
  const implied = restoreHistories(kept);
  const problems: string[] = [];
  const file = files.get(BundlePaths.restores);
  if (!file || !bytesEqual(file, joinLines(implied.map((h) => canonicalBytes(h)))))
    problems.push(`${BundlePaths.restores} differs from the restore transitions in the log`);
  for (const h of implied) {
    const entries = kept.filter(
      (e) => restoreStateOf(e) && (e.data as { restoreId: string }).restoreId === h.restoreId,
    );
    const machine = checkRestoreHistory(entries, { partial: true });
    if (!machine.ok) problems.push(`restore ${h.restoreId}: ${machine.message}`);
  }
  report.expect(
    "restores",
    "Restore histories match the log and the state machine",
    problems.length === 0,
    `${implied.length} restore(s) checked`,
    problems.slice(0, 5).join("; "),
  );
}
