// Properties of the retention decision (SPEC §12) over generated backups, policies, zones and instants:
// what an engineer who has lost a database needs to be true whatever the inputs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type RetainedBackup, type RetentionVerdict, retentionDecision } from "./decide.js";
import { RETENTION_PERIODS, type RetentionPolicy } from "./policy.js";

const YEAR = 366 * 86_400_000;
const NOW = Date.parse("2026-12-06T12:00:00.000Z");
const ZONES = ["UTC", "Europe/Oslo", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Australia/Lord_Howe"];

/** Up to 150 backups within a year before now (a few after it), some at the same instant, unique ids. */
const backupsArb = fc
  .uniqueArray(
    fc.record({
      backupId: fc.stringMatching(/^bk_[a-z0-9]{1,6}$/),
      at: fc.oneof(fc.integer({ min: NOW - YEAR, max: NOW + 3_600_000 }), fc.constant(NOW - 86_400_000)),
    }),
    { maxLength: 150, selector: (b) => b.backupId },
  )
  .map((bs) => bs as RetainedBackup[]);

const count = fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined });
const policyArb: fc.Arbitrary<RetentionPolicy> = fc.record({
  keepLast: count,
  hourly: count,
  daily: count,
  weekly: count,
  monthly: count,
  yearly: count,
  minAgeDays: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
  timezone: fc.constantFrom(...ZONES),
});

const decide = (bs: readonly RetainedBackup[], p: RetentionPolicy, now = NOW, prot = new Set<string>()) => {
  const r = retentionDecision(bs, p, now, prot);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const keptIds = (vs: RetentionVerdict[]) => new Set(vs.filter((v) => v.keep).map((v) => v.backupId));
const RUNS = { numRuns: 300 };

describe("retention decision: properties", () => {
  it("never expires the newest completed backup, a protected one, or one inside the minimum age", () => {
    fc.assert(
      fc.property(backupsArb, policyArb, fc.integer({ min: 0, max: 149 }), (bs, p, pick) => {
        const prot = new Set(bs.length > 0 ? [bs[pick % bs.length]!.backupId] : []);
        const vs = decide(bs, p, NOW, prot);
        expect(vs).toHaveLength(bs.length);
        if (vs.length > 0) expect(vs[0]!.keep).toBe(true);
        for (const v of vs) {
          if (prot.has(v.backupId)) expect(v.keep).toBe(true);
          if (NOW - v.at < (p.minAgeDays ?? 0) * 86_400_000) expect(v.keep).toBe(true);
          expect(v.reasons.length).toBeGreaterThan(0);
          expect(v.reasons.includes("unkept")).toBe(!v.keep);
        }
      }),
      RUNS,
    );
  });

  it("deciding again over what it kept, at the same instant, expires nothing more", () => {
    fc.assert(
      fc.property(backupsArb, policyArb, (bs, p) => {
        const first = decide(bs, p);
        const survivors = bs.filter((b) => keptIds(first).has(b.backupId));
        const second = decide(survivors, p);
        expect(second.every((v) => v.keep)).toBe(true);
      }),
      RUNS,
    );
  });

  it("a longer policy never keeps fewer: raising any count or the minimum age keeps a superset", () => {
    const field = fc.constantFrom("keepLast", "minAgeDays", ...RETENTION_PERIODS);
    fc.assert(
      fc.property(backupsArb, policyArb, field, fc.integer({ min: 1, max: 20 }), (bs, p, f, more) => {
        const longer = { ...p, [f]: (p[f] ?? 0) + more };
        const before = keptIds(decide(bs, p));
        const after = keptIds(decide(bs, longer));
        for (const id of before) expect(after.has(id)).toBe(true);
      }),
      RUNS,
    );
  });

  it("the input's order does not matter, and a backup's fate depends only on the backups at or after it", () => {
    fc.assert(
      fc.property(backupsArb, policyArb, fc.integer({ min: 0, max: 149 }), (bs, p, cut) => {
        const all = decide(bs, p);
        expect(decide([...bs].reverse(), p)).toEqual(all);
        // Drop every backup older than the cut: the verdicts of those left are unchanged. This is what lets
        // an auditor recompute a deletion from the backups between it and the decision.
        const newer = all.slice(0, cut % (all.length + 1));
        const again = decide(
          bs.filter((b) => newer.some((v) => v.backupId === b.backupId)),
          p,
        );
        expect(again).toEqual(newer);
      }),
      RUNS,
    );
  });
});
