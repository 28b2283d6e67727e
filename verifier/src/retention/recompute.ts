import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { retentionDecision } from "./decide.js";

/** What recomputing one `backup.expired` entry from the log found (SPEC §12). */
export type ExpiryRecomputation =
  | { seq: number; backupId: string; status: "agrees"; backups: number }
  | { seq: number; backupId: string; status: "disagrees"; reasons: string[] }
  | { seq: number; backupId: string; status: "unknown"; why: string };

/**
 * Recomputes every `backup.expired` entry in `entries` (a log or a bundle's window, in log order) from
 * the log alone: the database's `backup.completed` entries with `at` from the expired backup's to the
 * decision's, minus those expired by earlier entries, the newest passing drill before the decision as
 * protected, and the entry's own policy and `decidedAt`. The decision must say `unkept` for the backup.
 * `unknown` when the entries start after the backup completed (the window cannot hold every input).
 */
export function recomputeExpiries(entries: readonly LogEntry[]): ExpiryRecomputation[] {
  const firstAt = entries.length > 0 ? Date.parse(entries[0]!.at) : Number.POSITIVE_INFINITY;
  // By backup id, and each database's in log order: a bundle can hold a year of backups.
  const completedById = new Map<string, LogEntryOf<"backup.completed">>();
  const completedByDb = new Map<string, LogEntryOf<"backup.completed">[]>();
  const passedByDb = new Map<string, LogEntryOf<"drill.completed">[]>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  const expiredBefore = new Set<string>();
  const out: ExpiryRecomputation[] = [];
  for (const e of entries) {
    if (e.type === "backup.completed") {
      completedById.set(e.data.backupId, e);
      push(completedByDb, e.data.databaseId, e);
    } else if (e.type === "drill.completed") push(passedByDb, e.data.databaseId, e);
    else if (e.type === "backup.expired") {
      const d = e.data;
      const base = { seq: e.seq, backupId: d.backupId };
      const completedAt = Date.parse(d.completedAt);
      const decidedAt = Date.parse(d.decidedAt);
      if (completedAt < firstAt) {
        out.push({ ...base, status: "unknown", why: "the entries start after the backup completed" });
      } else {
        const own = completedById.get(d.backupId);
        const problems: string[] = [];
        if (!own) problems.push("its backup.completed entry is not before it");
        else {
          if (own.at !== d.completedAt) problems.push(`completedAt ${d.completedAt} is not its entry's at ${own.at}`);
          if (own.data.databaseId !== d.databaseId) problems.push(`it is a backup of ${own.data.databaseId}`);
          if (own.data.artifact.sha256 !== d.artifactSha256) problems.push("artifactSha256 is not the backup's");
          if (own.data.manifestSha256 !== d.manifestSha256) problems.push("manifestSha256 is not the backup's");
        }
        if (problems.length > 0) out.push({ ...base, status: "disagrees", reasons: problems });
        else {
          const inputs = (completedByDb.get(d.databaseId) ?? [])
            .filter((c) => !expiredBefore.has(c.data.backupId))
            .map((c) => ({ backupId: c.data.backupId, at: Date.parse(c.at) }))
            .filter((b) => b.at >= completedAt && b.at <= decidedAt);
          const drills = passedByDb.get(d.databaseId) ?? [];
          let drill: LogEntryOf<"drill.completed"> | undefined;
          for (let i = drills.length - 1; i >= 0 && !drill; i--)
            if (Date.parse(drills[i]!.at) <= decidedAt) drill = drills[i];
          const r = retentionDecision(inputs, d.policy, decidedAt, new Set(drill ? [drill.data.backupId] : []));
          const verdict = r.ok ? r.value.find((v) => v.backupId === d.backupId) : undefined;
          if (!r.ok) out.push({ ...base, status: "unknown", why: r.message });
          else if (verdict && !verdict.keep) out.push({ ...base, status: "agrees", backups: inputs.length });
          else
            out.push({
              ...base,
              status: "disagrees",
              reasons: [`the policy keeps it: ${verdict?.reasons.join(", ")}`],
            });
        }
      }
      expiredBefore.add(d.backupId);
    }
  }
  return out;
}
