import { describe, expect, it } from "vitest";
import { type RetainedBackup, retentionDecision } from "./decide.js";
import { keepsSomething, lockDaysFor, RetentionPolicyShape } from "./policy.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.parse("2026-12-06T12:00:00.000Z");

/** One backup every `everyMs` for `count` steps back from `from`, ids b000 (oldest) … */
function series(count: number, everyMs: number, from = now): RetainedBackup[] {
  return Array.from({ length: count }, (_, i) => ({
    backupId: `b${String(count - 1 - i).padStart(3, "0")}`,
    at: from - i * everyMs,
  }));
}

const policy = (p: object) => RetentionPolicyShape.parse(p);
const kept = (r: ReturnType<typeof retentionDecision>) => {
  if (!r.ok) throw new Error(r.message);
  return r.value.filter((v) => v.keep).map((v) => v.backupId);
};

describe("retention decision", () => {
  it("grandfather-father-son over 60 days of dailies: 7 dailies, 4 weeklies, 2 monthlies, not only the dailies", () => {
    const backups = series(60, DAY); // b059 today at noon … b000 59 days ago
    const r = retentionDecision(backups, policy({ daily: 7, weekly: 4, monthly: 2 }), now);
    if (!r.ok) throw new Error(r.message);
    const byId = new Map(r.value.map((v) => [v.backupId, v]));
    // Dailies: the 7 newest days.
    for (let i = 59; i >= 53; i--)
      expect(byId.get(`b${String(i).padStart(3, "0")}`)!.reasons).toContain(
        `daily:${new Date(now - (59 - i) * DAY).toISOString().slice(0, 10)}`,
      );
    // Weeklies: the newest backup of each of the 4 newest ISO weeks (2026-12-06 is a Sunday: its week's newest is today).
    const weeklies = r.value.filter((v) => v.reasons.some((x) => x.startsWith("weekly:")));
    expect(weeklies.map((v) => v.reasons.find((x) => x.startsWith("weekly:")))).toEqual([
      "weekly:2026-W49",
      "weekly:2026-W48",
      "weekly:2026-W47",
      "weekly:2026-W46",
    ]);
    expect(weeklies.map((v) => new Date(v.at).toISOString().slice(0, 10))).toEqual([
      "2026-12-06",
      "2026-11-29",
      "2026-11-22",
      "2026-11-15",
    ]);
    // Monthlies: December's newest (today) and November's newest (the 30th).
    const monthlies = r.value.filter((v) => v.reasons.some((x) => x.startsWith("monthly:")));
    expect(monthlies.map((v) => new Date(v.at).toISOString().slice(0, 10))).toEqual(["2026-12-06", "2026-11-30"]);
    // 7 dailies (6 Dec … 30 Nov) ∪ 4 weeklies (3 older than the dailies) ∪ 2 monthlies (both dailies already):
    // 10 kept, 50 expired as unkept.
    expect(kept(r)).toHaveLength(10);
    expect(r.value.filter((v) => !v.keep).every((v) => v.reasons.join() === "unkept")).toBe(true);
  });

  it("hourly backups with daily 3: the newest of each day, counted in the policy's zone", () => {
    const backups = series(72, HOUR, Date.parse("2026-12-06T23:00:00.000Z"));
    const utc = retentionDecision(backups, policy({ daily: 3 }), Date.parse("2026-12-07T00:00:00.000Z"));
    expect(
      (utc.ok ? utc.value : []).filter((v) => v.keep).map((v) => new Date(v.at).toISOString().slice(0, 13)),
    ).toEqual(["2026-12-06T23", "2026-12-05T23", "2026-12-04T23"]);
    const tokyo = retentionDecision(
      backups,
      policy({ daily: 3, timezone: "Asia/Tokyo" }),
      Date.parse("2026-12-07T00:00:00.000Z"),
    );
    // Tokyo days end at 15:00 UTC: the newest of each is 14:00 UTC (and today's, the newest overall).
    expect(
      (tokyo.ok ? tokyo.value : []).filter((v) => v.keep).map((v) => new Date(v.at).toISOString().slice(0, 13)),
    ).toEqual(["2026-12-06T23", "2026-12-06T14", "2026-12-05T14"]);
  });

  it("keepLast, the minimum age, the newest, a protected backup and one from the future", () => {
    const backups = [...series(10, DAY), { backupId: "late", at: now + HOUR }];
    const r = retentionDecision(backups, policy({ keepLast: 2, minAgeDays: 3 }), now, new Set(["b002"]));
    if (!r.ok) throw new Error(r.message);
    const reasons = Object.fromEntries(r.value.map((v) => [v.backupId, v.reasons.join(",")]));
    expect(reasons).toEqual({
      late: "newest,future,last",
      b009: "min-age,last",
      b008: "min-age",
      b007: "min-age",
      b006: "unkept", // exactly 3 days old: not younger than 3 days
      b005: "unkept",
      b004: "unkept",
      b003: "unkept",
      b002: "protected",
      b001: "unkept",
      b000: "unkept",
    });
  });

  it("the same instant twice orders by id, descending, whatever the input order", () => {
    const a = { backupId: "bk_a", at: now };
    const b = { backupId: "bk_b", at: now };
    for (const input of [
      [a, b],
      [b, a],
    ]) {
      const r = retentionDecision(input, policy({ keepLast: 1 }), now + DAY);
      expect(r.ok && r.value.map((v) => [v.backupId, v.keep])).toEqual([
        ["bk_b", true],
        ["bk_a", false],
      ]);
    }
  });

  it("an unknown zone is a value, not an exception; no backups, no verdicts", () => {
    expect(retentionDecision(series(2, DAY), policy({ daily: 1, timezone: "Mars/Olympus" }), now)).toMatchObject({
      ok: false,
      code: "unknown-timezone",
    });
    expect(retentionDecision([], policy({ daily: 1 }), now)).toEqual({ ok: true, value: [] });
  });

  it("a policy must turn on a rule; the lock covers the longest a policy can keep", () => {
    expect(keepsSomething(policy({}))).toBe(false);
    expect(keepsSomething(policy({ daily: 0, keepLast: 0 }))).toBe(false);
    expect(keepsSomething(policy({ keepLast: 1 }))).toBe(true);
    expect(lockDaysFor(policy({ daily: 7, weekly: 4, monthly: 12 }))).toBe(372);
    expect(lockDaysFor(policy({ hourly: 48 }))).toBe(2);
    expect(lockDaysFor(policy({ minAgeDays: 30, daily: 7 }))).toBe(30);
    expect(lockDaysFor(policy({ keepLast: 5 }))).toBeNull();
    expect(RetentionPolicyShape.safeParse({ daily: -1 }).success).toBe(false);
    expect(RetentionPolicyShape.safeParse({ daily: 1001 }).success).toBe(false);
    expect(RetentionPolicyShape.safeParse({ weekly: 1.5 }).success).toBe(false);
    expect(RetentionPolicyShape.safeParse({ forever: true }).success).toBe(false);
  });
});
