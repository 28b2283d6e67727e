import { err, ok, type Result } from "../result.js";
import { bucketKey } from "./buckets.js";
import { RETENTION_PERIODS, type RetentionPolicy } from "./policy.js";

/** A completed backup as retention sees it: its id and the instant of its `backup.completed` entry. */
export interface RetainedBackup {
  backupId: string;
  /** Epoch milliseconds. */
  at: number;
}

/** Why a backup is kept (SPEC §12), or `unkept` when it expires. */
export type RetentionReason =
  | "newest"
  | "protected"
  | "future"
  | "min-age"
  | "last"
  | `${(typeof RETENTION_PERIODS)[number]}:${string}`
  | "unkept";

/** One backup's fate, with every reason that applies. */
export interface RetentionVerdict {
  backupId: string;
  at: number;
  keep: boolean;
  reasons: RetentionReason[];
}

/** Newest first, by instant then id descending: the one order every reader uses. */
export function newestFirst(a: RetainedBackup, b: RetainedBackup): number {
  return b.at - a.at || (a.backupId < b.backupId ? 1 : a.backupId > b.backupId ? -1 : 0);
}

/**
 * Which backups a policy keeps at `now` (SPEC §12): the verdicts newest first. Pure and deterministic:
 * the Worker, the runner, the dashboard and an auditor get the same answer from the same inputs. Fails
 * only for a zone this runtime does not know.
 */
export function retentionDecision(
  backups: readonly RetainedBackup[],
  policy: RetentionPolicy,
  now: number,
  protectedIds: ReadonlySet<string> = new Set(),
): Result<RetentionVerdict[], "unknown-timezone"> {
  const ordered = [...backups].sort(newestFirst);
  const verdicts = ordered.map((b) => ({
    backupId: b.backupId,
    at: b.at,
    keep: false,
    reasons: [] as RetentionReason[],
  }));
  const keep = (v: RetentionVerdict, reason: RetentionReason) => {
    v.keep = true;
    v.reasons.push(reason);
  };
  const minAgeMs = (policy.minAgeDays ?? 0) * 86_400_000;
  verdicts.forEach((v, i) => {
    if (i === 0) keep(v, "newest");
    if (protectedIds.has(v.backupId)) keep(v, "protected");
    if (v.at > now) keep(v, "future");
    else if (now - v.at < minAgeMs) keep(v, "min-age");
    if (i < (policy.keepLast ?? 0)) keep(v, "last");
  });
  try {
    for (const period of RETENTION_PERIODS) {
      const count = policy[period] ?? 0;
      if (count === 0) continue;
      const seen = new Set<string>();
      for (const v of verdicts) {
        const key = bucketKey(v.at, period, policy.timezone);
        if (seen.has(key)) continue;
        seen.add(key);
        if (seen.size > count) break;
        keep(v, `${period}:${key}`);
      }
    }
  } catch (e) {
    if (e instanceof RangeError) return err("unknown-timezone", `not a known time zone: ${policy.timezone}`);
    throw e;
  }
  for (const v of verdicts) if (!v.keep) v.reasons.push("unkept");
  return ok(verdicts);
}
