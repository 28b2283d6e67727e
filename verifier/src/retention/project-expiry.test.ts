// The expiry projection (SPEC §12): hand-checked vectors, its bounds, and as a property that replaying the
// decision itself, with the simulated backups completed by then, agrees with each projected instant.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type RetainedBackup, type RetentionVerdict, retentionDecision } from "./decide.js";
import { bucketKey } from "./buckets.js";
import { RETENTION_PERIODS, type RetentionPolicy, RetentionPolicyShape } from "./policy.js";
import {
  bucketKeys,
  type ExpiryProjection,
  PROJECTION_HORIZON_MS,
  type ProjectionOptions,
  projectExpiry,
  simulatedBackupId,
  simulatedBackups,
} from "./project-expiry.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse("2026-12-06T12:00:00.000Z"); // a Sunday, the last day of ISO week 2026-W49

/** One backup a day at noon for `count` days up to NOW, ids d000 (oldest) …, the newest at NOW. */
const dailies = (count: number, everyMs = DAY): RetainedBackup[] =>
  Array.from({ length: count }, (_, i) => ({
    backupId: `d${String(count - 1 - i).padStart(3, "0")}`,
    at: NOW - i * everyMs,
  }));
const policy = (p: object) => RetentionPolicyShape.parse(p);

function project(
  bs: readonly RetainedBackup[],
  p: RetentionPolicy,
  cadence: number | null,
  prot: ReadonlySet<string> = new Set(),
  options?: ProjectionOptions,
  now = NOW,
): ExpiryProjection {
  const r = projectExpiry(bs, p, now, prot, cadence, options);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}
const byId = (pr: ExpiryProjection) => new Map(pr.expiries.map((e) => [e.backupId, e]));
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
/** Each backup's expiry as an ISO instant, "next prune" for those unkept now, null for kept at the horizon. */
const expiries = (pr: ExpiryProjection) =>
  Object.fromEntries(pr.expiries.map((e) => [e.backupId, e.expiresAt === pr.now ? "next prune" : iso(e.expiresAt)]));

describe("expiry projection: hand-checked", () => {
  it("keepLast 3 with a daily cadence: the oldest kept goes after one more backup, the newest after three", () => {
    const pr = project(dailies(5), policy({ keepLast: 3 }), DAY);
    expect(expiries(pr)).toEqual({
      d004: "2026-12-09T12:00:00.000Z",
      d003: "2026-12-08T12:00:00.000Z",
      d002: "2026-12-07T12:00:00.000Z",
      d001: "next prune",
      d000: "next prune",
    });
    const e = byId(pr);
    expect(e.get("d002")!.lastKeptBy).toEqual(["last"]);
    expect(e.get("d004")!.lastKeptBy).toEqual(["last"]); // the newest until the first new backup, then one of the last 3
    expect(e.get("d001")!.lastKeptBy).toEqual([]);
    expect(pr.horizon).toBe(NOW + PROJECTION_HORIZON_MS);
    expect(pr.simulated).toBe(730);
  });

  it("daily 7, weekly 4 with a daily cadence: each daily after its 7th newer day, each weekly after its 4th newer week", () => {
    const pr = project(dailies(60), policy({ daily: 7, weekly: 4 }), DAY);
    // Now: the dailies 6 Dec … 30 Nov (all in W49) and the weeklies W49 (6 Dec), W48 (29 Nov), W47 (22 Nov),
    // W46 (15 Nov). The new backups come at noon from Monday 7 Dec (W50): W51 from 14 Dec, W52 from 21 Dec,
    // W53 from 28 Dec (2026 has 53 ISO weeks).
    const kept = Object.fromEntries(Object.entries(expiries(pr)).filter(([, v]) => v !== "next prune"));
    expect(kept).toEqual({
      d059: "2026-12-28T12:00:00.000Z", // 6 Dec: a daily until 13 Dec, the weekly of W49 until W53 starts
      d058: "2026-12-12T12:00:00.000Z", // 5 Dec: 6 newer days now, the 7th on 12 Dec
      d057: "2026-12-11T12:00:00.000Z",
      d056: "2026-12-10T12:00:00.000Z",
      d055: "2026-12-09T12:00:00.000Z",
      d054: "2026-12-08T12:00:00.000Z",
      d053: "2026-12-07T12:00:00.000Z", // 30 Nov: the 7th day now
      d052: "2026-12-21T12:00:00.000Z", // 29 Nov, W48: W49, W50, W51 newer, W52 the 4th
      d045: "2026-12-14T12:00:00.000Z", // 22 Nov, W47: the 4th newer week is W51
      d038: "2026-12-07T12:00:00.000Z", // 15 Nov, W46: W50 is the 4th
    });
    expect(Object.keys(expiries(pr))).toHaveLength(60);
    const e = byId(pr);
    expect(e.get("d059")!.lastKeptBy).toEqual(["weekly:2026-W49"]);
    expect(e.get("d058")!.lastKeptBy).toEqual(["daily:2026-12-05"]);
    expect(e.get("d052")!.lastKeptBy).toEqual(["weekly:2026-W48"]);
  });

  it("minAgeDays 30 with no more backups: each goes exactly 30 days after it completed; the newest stays", () => {
    const pr = project(dailies(40), policy({ minAgeDays: 30 }), null);
    const e = byId(pr);
    expect(e.get("d039")!.expiresAt).toBeNull(); // the newest: no newer backup ever comes
    expect(e.get("d039")!.lastKeptBy).toEqual(["newest"]);
    for (let age = 1; age < 30; age++) {
      const b = e.get(`d${String(39 - age).padStart(3, "0")}`)!;
      expect(b.expiresAt).toBe(b.at + 30 * DAY);
      expect(b.lastKeptBy).toEqual(["min-age"]);
    }
    // Exactly 30 days old: not younger than 30 days, so it goes now, as do the older ones.
    expect(e.get("d009")!.expiresAt).toBe(NOW);
    expect(e.get("d000")!.expiresAt).toBe(NOW);
    expect(pr.simulated).toBe(0);
  });

  it("no more backups and a keepLast policy: what is kept now is kept for good (null)", () => {
    const pr = project(dailies(5), policy({ keepLast: 3 }), null);
    expect(expiries(pr)).toEqual({ d004: null, d003: null, d002: null, d001: "next prune", d000: "next prune" });
    expect(byId(pr).get("d004")!.lastKeptBy).toEqual(["newest", "last"]);
    expect(pr.horizon).toBe(NOW + PROJECTION_HORIZON_MS);
  });

  it("the protected backup stays protected; the minimum age outlasts the counts; a future backup counts from its instant", () => {
    const bs = [...dailies(10), { backupId: "late", at: NOW + 2 * HOUR }];
    const pr = project(bs, policy({ keepLast: 2, minAgeDays: 3 }), DAY, new Set(["d002"]));
    const e = byId(pr);
    expect(e.get("d002")).toMatchObject({ expiresAt: null, lastKeptBy: ["protected"] });
    // d009 (NOW) is one of the last 2 ("late" is newer) until the first new backup at +1 day, but its
    // minimum age runs to +3 days; "late" is one of the last 2 until +2 days, its minimum age to +3 days 2 h.
    expect(e.get("d009")).toMatchObject({ expiresAt: NOW + 3 * DAY, lastKeptBy: ["min-age"] });
    expect(e.get("late")).toMatchObject({ expiresAt: NOW + 2 * HOUR + 3 * DAY, lastKeptBy: ["min-age"] });
    expect(e.get("d007")).toMatchObject({ expiresAt: NOW + DAY, lastKeptBy: ["min-age"] });
    expect(e.get("d006")).toMatchObject({ expiresAt: NOW, lastKeptBy: [] });
  });

  it("stops at 20,000 steps or the work budget, and says where: the horizon is then the last simulated backup", () => {
    const years = [
      { backupId: "y2026", at: NOW },
      { backupId: "y2025", at: Date.parse("2025-06-01T00:00:00.000Z") },
      { backupId: "y2024", at: Date.parse("2024-06-01T00:00:00.000Z") },
    ];
    const everyMinute = project(years, policy({ yearly: 3 }), 60_000);
    expect(everyMinute.simulated).toBe(20_000);
    expect(everyMinute.horizon).toBe(NOW + 20_000 * 60_000);
    expect(expiries(everyMinute)).toEqual({ y2026: "2026-12-06T12:01:00.000Z", y2025: null, y2024: null });
    expect(byId(everyMinute).get("y2025")!.lastKeptBy).toEqual(["yearly:2025"]);
    const cut = project(dailies(3), policy({ keepLast: 50 }), HOUR, new Set(), { workBudget: 20 });
    expect(cut.simulated).toBe(10); // each backup arriving newest costs 2 visits here
    expect(cut.horizon).toBe(NOW + 10 * HOUR);
    expect(expiries(cut)).toEqual({ d002: null, d001: null, d000: null });
    // Once no given backup is in play, the rest cannot change an answer: the whole horizon counts.
    const quick = project(dailies(3), policy({ keepLast: 1 }), HOUR);
    expect(quick.simulated).toBe(730 * 24);
    expect(quick.horizon).toBe(NOW + PROJECTION_HORIZON_MS);
    expect(expiries(quick)).toEqual({ d002: "2026-12-06T13:00:00.000Z", d001: "next prune", d000: "next prune" });
  });

  it("refuses an unknown zone and a cadence that is no positive whole number of milliseconds; nothing given, nothing said", () => {
    expect(
      projectExpiry(dailies(2), policy({ daily: 1, timezone: "Mars/Olympus" }), NOW, new Set(), DAY),
    ).toMatchObject({
      ok: false,
      code: "unknown-timezone",
    });
    for (const bad of [0, -DAY, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(projectExpiry(dailies(2), policy({ daily: 1 }), NOW, new Set(), bad)).toMatchObject({
        ok: false,
        code: "bad-cadence",
      });
    expect(project([], policy({ daily: 1 }), DAY).expiries).toEqual([]);
    expect(simulatedBackups(NOW, DAY, 2)).toEqual([
      { backupId: simulatedBackupId(1), at: NOW + DAY },
      { backupId: simulatedBackupId(2), at: NOW + 2 * DAY },
    ]);
  });

  it("is cheap: a year of dailies over two years of dailies, and every count at its maximum over hourlies", () => {
    const gfs = policy({ daily: 30, weekly: 52, monthly: 24, yearly: 5, keepLast: 7 });
    let t = performance.now();
    const year = project(dailies(365), gfs, DAY);
    const yearMs = performance.now() - t;
    expect(year.simulated).toBe(730);
    const max = policy({ keepLast: 1000, hourly: 1000, daily: 1000, weekly: 1000, monthly: 1000, yearly: 1000 });
    t = performance.now();
    const most = project(dailies(5000, HOUR), max, HOUR);
    expect(most.simulated).toBe(730 * 24);
    const mostMs = performance.now() - t;
    console.log(`projection: 365 dailies × 2 years ${yearMs.toFixed(1)} ms; every maximum ${mostMs.toFixed(1)} ms`);
    expect(yearMs).toBeLessThan(500);
    expect(mostMs).toBeLessThan(2000);
  });
});

// ---- the property: the projection is the decision replayed ----

it("reads every period's bucket key from one reading of local time, as bucketKey does", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }),
      fc.constantFrom(
        "UTC",
        "Europe/Oslo",
        "America/New_York",
        "Asia/Kolkata",
        "Pacific/Chatham",
        "Australia/Lord_Howe",
        "Asia/Tokyo",
        "America/St_Johns",
      ),
      (ms, zone) => {
        expect(bucketKeys(ms, RETENTION_PERIODS, zone)).toEqual(RETENTION_PERIODS.map((p) => bucketKey(ms, p, zone)));
      },
    ),
    { numRuns: 2000 },
  );
});

const ZONES = ["UTC", "Europe/Oslo", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Australia/Lord_Howe"];
const YEAR = 366 * DAY;
const START = Date.parse("2026-01-01T00:00:00.000Z");

const count = fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined });
const policyArb: fc.Arbitrary<RetentionPolicy> = fc.record({
  keepLast: count,
  hourly: count,
  daily: count,
  weekly: count,
  monthly: count,
  yearly: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  minAgeDays: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
  timezone: fc.constantFrom(...ZONES),
});
const cadenceArb = fc.oneof(
  fc.constantFrom(HOUR, 6 * HOUR, DAY, 7 * DAY, 31 * DAY),
  fc.integer({ min: 10 * 60_000, max: 10 * DAY }),
  fc.constant(null),
);
/** Instants to the second, in the 90 days before now (a few up to 2 days after it, some at the same instant). */
const caseArb = fc
  .record({
    now: fc.integer({ min: START, max: START + YEAR }).map((ms) => ms - (ms % 1000)),
    offsets: fc.array(
      fc.oneof(
        { arbitrary: fc.integer({ min: -90 * 86_400, max: 0 }), weight: 8 },
        { arbitrary: fc.constant(-86_400), weight: 1 },
        { arbitrary: fc.integer({ min: 1, max: 2 * 86_400 }), weight: 1 },
      ),
      { maxLength: 30 },
    ),
    policy: policyArb,
    cadence: cadenceArb,
    pick: fc.integer({ min: -1, max: 29 }),
    budget: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 4 },
      { arbitrary: fc.integer({ min: 1, max: 2_000 }), weight: 1 },
    ),
  })
  .map(({ now, offsets, pick, ...rest }) => {
    const backups = offsets.map((s, i) => ({ backupId: `bk_${String(i).padStart(2, "0")}`, at: now + s * 1000 }));
    const prot = new Set(pick >= 0 && pick < backups.length ? [backups[pick]!.backupId] : []);
    return { now, backups, prot, ...rest };
  });

describe("expiry projection: the decision replayed", () => {
  it("at each projected instant the decision (with the backups simulated by then) expires the backup, and 1 ms before keeps it, for the reasons said", () => {
    fc.assert(
      fc.property(caseArb, ({ now, backups, prot, policy: p, cadence, budget }) => {
        const options = { horizonMs: 120 * DAY, maxSteps: 150, workBudget: budget };
        const pr = project(backups, p, cadence, prot, options, now);
        const sims = cadence === null ? [] : simulatedBackups(now, cadence, pr.simulated);
        expect(sims.every((s) => s.at <= pr.horizon)).toBe(true);
        const memo = new Map<number, Map<string, RetentionVerdict>>();
        const decideAt = (t: number) => {
          let m = memo.get(t);
          if (!m) {
            const r = retentionDecision([...backups, ...sims.filter((s) => s.at <= t)], p, t, prot);
            if (!r.ok) throw new Error(r.message);
            m = new Map(r.value.map((v) => [v.backupId, v]));
            memo.set(t, m);
          }
          return m;
        };
        expect(pr.expiries.map((e) => e.backupId)).toEqual([...decideAt(now).keys()]);
        for (const e of pr.expiries) {
          const nowVerdict = decideAt(now).get(e.backupId)!;
          if (e.expiresAt === now) {
            expect(nowVerdict.keep).toBe(false);
            expect(e.lastKeptBy).toEqual([]);
          } else if (e.expiresAt === null) {
            expect(decideAt(pr.horizon).get(e.backupId)!.reasons).toEqual(e.lastKeptBy);
            expect(e.lastKeptBy.length).toBeGreaterThan(0);
          } else {
            expect(e.expiresAt).toBeGreaterThan(now);
            expect(e.expiresAt).toBeLessThanOrEqual(pr.horizon);
            expect(decideAt(e.expiresAt).get(e.backupId)!.keep, `${e.backupId} at its expiry`).toBe(false);
            expect(decideAt(e.expiresAt - 1).get(e.backupId)!.reasons).toEqual(e.lastKeptBy);
            expect(e.lastKeptBy).not.toContain("unkept");
          }
          if (prot.has(e.backupId)) expect(e.expiresAt).toBeNull();
        }
      }),
      { numRuns: 150 },
    );
  });

  it("kept at every simulated backup's instant until it expires, and never again after (sampled)", () => {
    fc.assert(
      fc.property(caseArb, ({ now, backups, prot, policy: p, cadence }) => {
        const pr = project(backups, p, cadence, prot, { horizonMs: 40 * DAY, maxSteps: 60 }, now);
        const sims = cadence === null ? [] : simulatedBackups(now, cadence, pr.simulated);
        const instants = [now, ...sims.map((s) => s.at), pr.horizon].filter((t, i) => i % 5 === 0 || t === pr.horizon);
        for (const t of instants) {
          const r = retentionDecision([...backups, ...sims.filter((s) => s.at <= t)], p, t, prot);
          if (!r.ok) throw new Error(r.message);
          const kept = new Set(r.value.filter((v) => v.keep).map((v) => v.backupId));
          for (const e of pr.expiries) expect(kept.has(e.backupId)).toBe(e.expiresAt === null || t < e.expiresAt);
        }
      }),
      { numRuns: 100 },
    );
  });
});
