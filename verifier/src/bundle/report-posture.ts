import { canonicalize } from "../jcs/canonicalize.js";
import type { LogEntry, LogEntryOf } from "../log/entry.js";
import type { BucketPosture } from "../posture/posture.js";

/** The parts of a bucket's posture the runner reads (SPEC §12, bucket posture), in the order the report lists them. */
export const POSTURE_PARTS = ["versioning", "objectLock", "publicAccess", "encryption", "lifecycle"] as const;
/** One part of a bucket's posture. */
export type PosturePart = (typeof POSTURE_PARTS)[number];

/** A bucket's posture as a bucket.posture entry logged it: when, by whose report, and what was worse. */
export interface LoggedPosture {
  at: string;
  seq: number;
  runnerId: string;
  posture: BucketPosture;
  /** How it was worse than the bucket's reference (the entry's worsening); empty when it was not. */
  worsening: string[];
}

/** One bucket.posture entry of the period after the one its bucket's start is read from. */
export interface PostureChange extends LoggedPosture {
  /**
   * The parts that differ from the entry before it, in words (describePosturePart). Empty when only the
   * worsening changed: the Worker compares every report again, so a new retention policy can make the same
   * posture worse (SPEC §12).
   */
  changed: { part: PosturePart; from: string; to: string }[];
}

/** One bucket's posture over the period, as report.html shows it. */
export interface BucketPostureRow {
  bucket: string;
  /**
   * The posture in force at the period's start: the last entry before the window (`before-period`) when the
   * report was given it, or else the bucket's first entry in the period (`first-in-period`), since the
   * bundle's entries begin at the window's start and what held before is not in them.
   */
  start: LoggedPosture & { asOf: "before-period" | "first-in-period" };
  /** The period's entries after the start's, in log order. */
  changes: PostureChange[];
  /** The posture in force at the period's end: the last change's, or the start's without any. */
  end: LoggedPosture;
  /**
   * How long in the period its worsening was not empty (bucket.at_risk held): the sum of the stretches from
   * an entry with a worsening to the next entry, or to the period's end. Before a `first-in-period` start
   * the log says nothing in the period, so that time is not counted.
   */
  atRiskMs: number;
}

/** Every bucket with a posture in force in the period, by name. */
export interface PostureSummary {
  buckets: BucketPostureRow[];
}

type PostureEntry = LogEntryOf<"bucket.posture">;

const isPosture = (e: LogEntry): e is PostureEntry => e.type === "bucket.posture";

const logged = (e: PostureEntry): LoggedPosture => ({
  at: e.at,
  seq: e.seq,
  runnerId: e.data.runnerId,
  posture: e.data.posture,
  worsening: e.data.worsening,
});

/** One part of a posture in words; an unreadable part is `unknown`, never a value that would read as worse. */
export function describePosturePart(posture: BucketPosture, part: PosturePart): string {
  switch (part) {
    case "versioning":
    case "publicAccess":
    case "encryption":
      return posture[part];
    case "objectLock": {
      const l = posture.objectLock;
      if (l === "unknown") return "unknown";
      if (l.defaultMode === null && l.defaultDays === null) return l.enabled ? "enabled, no default retention" : "off";
      // Both defaults are said even when Object Lock is off, so two different configurations never read alike.
      const days = l.defaultDays === null ? "no days" : `${l.defaultDays} day(s)`;
      return `${l.enabled ? "enabled" : "off"}, default retention ${l.defaultMode ?? "without a mode"} for ${days}`;
    }
    case "lifecycle": {
      const rules = posture.lifecycle;
      if (rules === "unknown") return "unknown";
      if (rules.length === 0) return "no rule expires objects";
      // Quoted as postureWorsening quotes them, so an empty or odd id stays visible.
      return rules.map((r) => `${JSON.stringify(r.id)} expires after ${r.days} day(s)`).join("; ");
    }
  }
}

/** The parts of `to` that differ from `from`, each in words. */
function changedParts(from: BucketPosture, to: BucketPosture): PostureChange["changed"] {
  return POSTURE_PARTS.filter((p) => canonicalize(from[p]) !== canonicalize(to[p])).map((part) => ({
    part,
    from: describePosturePart(from, part),
    to: describePosturePart(to, part),
  }));
}

/** An instant clamped into the period, in epoch ms. */
function clamp(at: string, from: number, to: number): number {
  return Math.min(to, Math.max(from, Date.parse(at)));
}

/** Each bucket's posture over `period` from the window's bucket.posture entries and those `before` it, by name. */
export function postureSummary(
  entries: LogEntry[],
  period: { from: string; to: string },
  before: LogEntry[] = [],
): PostureSummary {
  // The last of a bucket's entries before the window is the posture in force at the period's start.
  const startOf = new Map<string, PostureEntry>();
  for (const e of before.filter(isPosture))
    if ((startOf.get(e.data.bucket)?.seq ?? -1) < e.seq) startOf.set(e.data.bucket, e);
  const inPeriod = new Map<string, PostureEntry[]>();
  for (const e of entries.filter(isPosture)) inPeriod.set(e.data.bucket, [...(inPeriod.get(e.data.bucket) ?? []), e]);
  // Stretches are clamped to the period: an entry's `at` outside it counts from the period's edge.
  const from = Date.parse(period.from);
  const to = Math.max(from, Date.parse(period.to));
  const names = [...new Set([...startOf.keys(), ...inPeriod.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    buckets: names.map((bucket): BucketPostureRow => {
      const list = inPeriod.get(bucket) ?? [];
      const known = startOf.get(bucket);
      // Without an entry before the window, the first one in it stands for the start (and is no change).
      const [first, rest] = known ? [known, list] : [list[0]!, list.slice(1)];
      const start = { ...logged(first), asOf: known ? ("before-period" as const) : ("first-in-period" as const) };
      let previous: LoggedPosture = start;
      let since = known ? from : clamp(first.at, from, to);
      let atRiskMs = 0;
      const changes = rest.map((e): PostureChange => {
        const at = clamp(e.at, from, to);
        if (previous.worsening.length > 0) atRiskMs += Math.max(0, at - since);
        const change = { ...logged(e), changed: changedParts(previous.posture, e.data.posture) };
        previous = change;
        since = Math.max(since, at);
        return change;
      });
      if (previous.worsening.length > 0) atRiskMs += Math.max(0, to - since);
      const { at, seq, runnerId, posture, worsening } = previous;
      return { bucket, start, changes, end: { at, seq, runnerId, posture, worsening }, atRiskMs };
    }),
  };
}
