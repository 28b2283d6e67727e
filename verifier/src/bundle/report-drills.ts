import { toHex } from "../bytes/hex.js";
import { fromUtf8 } from "../bytes/utf8.js";
import type { DrillPredicate } from "../drill/predicate.js";
import { verifyDrillReceipt } from "../drill/verify-receipt.js";
import { portableSha256 } from "../hash/sha256.js";
import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { parseVkey } from "../note/index.js";

/** One database's restore drills over the period, as report.html shows them. */
export interface DrillStats {
  databaseId: string;
  /** Drills that concluded in the period: passed plus failed. */
  run: number;
  passed: number;
  /** drill.failed entries that were not retried (a retried attempt is listed among the failures only). */
  failed: number;
  /** The last drill.completed of the period: when, and its RTO. */
  lastPass: { at: string; rtoMs: number } | null;
  /** RTO over the drills whose restore ran to its end (passed, or failed in phase checks or rto). */
  rto: { measured: number; minMs: number; medianMs: number; maxMs: number } | null;
  /** The distinct RTO targets (rto.targetMs) of the period's receipts, ascending. */
  targetsMs: number[];
  /** Measured drills whose RTO exceeds their receipt's target. */
  overTarget: number;
}

/** A drill that failed (or an attempt that did), with why. */
export interface DrillFailureRow {
  at: string;
  databaseId: string;
  drillId: string;
  backupId: string;
  /** The receipt's failure phase; "no receipt" when none concluded the drill, "receipt not available" when the report was not given it. */
  phase: string;
  reason: string;
  willRetry: boolean;
}

type Concluded = LogEntryOf<"drill.completed"> | LogEntryOf<"drill.failed">;

/**
 * The receipts' predicates by receiptSha256, for those that verify with their entry's runnerVkey (a receipt
 * that does not is left out: the report shows only what an authentic receipt says).
 */
function receiptPredicates(entries: Concluded[], receipts: Uint8Array[]): Map<string, DrillPredicate> {
  const bySha = new Map(receipts.map((r) => [toHex(portableSha256.digest(r)), r]));
  const out = new Map<string, DrillPredicate>();
  for (const e of entries) {
    const sha = e.data.receiptSha256;
    const bytes = sha ? bySha.get(sha) : undefined;
    const key = parseVkey(e.data.runnerVkey ?? "");
    if (!sha || !bytes || !key.ok) continue;
    let envelope: unknown;
    try {
      envelope = JSON.parse(fromUtf8(bytes) ?? "");
    } catch {
      continue;
    }
    const r = verifyDrillReceipt(envelope, [{ name: key.value.name, publicKey: key.value.publicKey }]);
    if (r.ok) out.set(sha, r.value.predicate);
  }
  return out;
}

/** The median of sorted numbers (of an even count, the mean of the middle two). */
function median(sorted: number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/**
 * The period's restore drills per database (sorted by id) and its failed drills in log order, from the
 * window's drill.completed and drill.failed entries and, where given, their receipts (their exact JCS
 * bytes, matched by SHA-256): the failure phase, the RTO of a failed drill and the RTO targets come from
 * the receipts.
 */
export function drillSummary(
  entries: LogEntry[],
  drillReceipts: Uint8Array[] = [],
): { databases: DrillStats[]; failures: DrillFailureRow[] } {
  const concluded = entries.filter((e): e is Concluded => e.type === "drill.completed" || e.type === "drill.failed");
  const predicates = receiptPredicates(concluded, drillReceipts);
  const perDb = new Map<string, { stats: DrillStats; rtos: number[] }>();
  const failures: DrillFailureRow[] = [];
  for (const e of concluded) {
    const db = e.data.databaseId;
    const row = perDb.get(db) ?? {
      stats: {
        databaseId: db,
        run: 0,
        passed: 0,
        failed: 0,
        lastPass: null,
        rto: null,
        targetsMs: [],
        overTarget: 0,
      },
      rtos: [],
    };
    perDb.set(db, row);
    const s = row.stats;
    const p = e.data.receiptSha256 ? predicates.get(e.data.receiptSha256) : undefined;
    if (p?.rto.targetMs != null && !s.targetsMs.includes(p.rto.targetMs)) s.targetsMs.push(p.rto.targetMs);
    let measured: number | undefined;
    if (e.type === "drill.completed") {
      s.run++;
      s.passed++;
      s.lastPass = { at: e.at, rtoMs: e.data.rtoMs };
      measured = e.data.rtoMs;
    } else {
      if (!e.data.willRetry) {
        s.run++;
        s.failed++;
      }
      if (p?.failure && (p.failure.phase === "checks" || p.failure.phase === "rto")) measured = p.rto.ms;
      failures.push({
        at: e.at,
        databaseId: db,
        drillId: e.data.drillId,
        backupId: e.data.backupId,
        phase: p?.failure?.phase ?? (e.data.receiptSha256 ? "receipt not available" : "no receipt"),
        reason: p?.failure?.reason ?? e.data.reason,
        willRetry: e.data.willRetry,
      });
    }
    if (measured === undefined) continue;
    row.rtos.push(measured);
    if (p?.rto.targetMs != null && measured > p.rto.targetMs) s.overTarget++;
  }
  const databases = [...perDb.values()]
    .sort((a, b) => (a.stats.databaseId < b.stats.databaseId ? -1 : 1))
    .map(({ stats, rtos }) => {
      const sorted = [...rtos].sort((a, b) => a - b);
      return {
        ...stats,
        targetsMs: [...stats.targetsMs].sort((a, b) => a - b),
        rto:
          sorted.length === 0
            ? null
            : { measured: sorted.length, minMs: sorted[0]!, medianMs: median(sorted), maxMs: sorted.at(-1)! },
      };
    });
  return { databases, failures };
}
