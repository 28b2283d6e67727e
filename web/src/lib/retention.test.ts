import { MAX_MIN_AGE_DAYS, MAX_RETENTION_COUNT, RETENTION_PERIODS } from "@walwarden/verifier";
import { RetentionPolicyRequestSchema, RetentionStateSchema } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import {
  backupsOf,
  cronIntervalMs,
  countsWords,
  expiryWords,
  formOf,
  formSays,
  gapCadence,
  intervalWords,
  lockWords,
  NO_PROJECTION,
  MAX_AGE_DAYS,
  MAX_COUNT,
  PERIODS,
  previewBlocker,
  previewCounts,
  problemsOfIssues,
  problemsOfRefusal,
  projectionNote,
  protectedIdsOf,
  reasonsWords,
  reasonWords,
  type RetentionState,
  RULES_PROBLEM,
  requestOf,
  scheduleCadence,
  spanWords,
} from "./retention.js";
import { projectFates } from "./retention-engine.js";

const EMPTY = formOf(null);

describe("the verifier's constants", () => {
  it("are the dashboard's", () => {
    expect(PERIODS).toEqual(RETENTION_PERIODS);
    expect(MAX_COUNT).toBe(MAX_RETENTION_COUNT);
    expect(MAX_AGE_DAYS).toBe(MAX_MIN_AGE_DAYS);
  });
});

describe("reasons in words", () => {
  it("says each of SPEC §12's reasons", () => {
    expect(reasonWords("newest")).toBe("the newest");
    expect(reasonWords("protected")).toBe("restores in the latest drill");
    expect(reasonWords("future")).toBe("completed after the decision's time");
    expect(reasonWords("min-age")).toBe("younger than the minimum age");
    expect(reasonWords("min-age", { minAgeDays: 30, timezone: "UTC" })).toBe("younger than 30 days");
    expect(reasonWords("min-age", { minAgeDays: 1, timezone: "UTC" })).toBe("younger than 1 day");
    expect(reasonWords("last")).toBe("one of the last kept");
    expect(reasonWords("last", { keepLast: 3, timezone: "UTC" })).toBe("one of the last 3");
    expect(reasonWords("unkept")).toBe("no rule keeps it");
    expect(reasonWords("no-policy")).toBe("no policy: every backup is kept");
  });
  it("says each period with its bucket", () => {
    expect(reasonWords("hourly:2026-12-06T21")).toBe("hourly 2026-12-06 21:00");
    expect(reasonWords("daily:2026-12-06")).toBe("daily 2026-12-06");
    expect(reasonWords("weekly:2026-W49")).toBe("weekly 2026-W49");
    expect(reasonWords("monthly:2026-12")).toBe("monthly 2026-12");
    expect(reasonWords("yearly:2026")).toBe("yearly 2026");
  });
  it("passes a reason it does not know through as it is", () => {
    expect(reasonWords("fortnightly:2026-F3")).toBe("fortnightly:2026-F3");
    expect(reasonWords("something-new")).toBe("something-new");
  });
  it("joins a verdict's reasons", () => {
    expect(reasonsWords(["newest", "daily:2026-12-06", "weekly:2026-W49"])).toBe(
      "the newest, daily 2026-12-06, weekly 2026-W49",
    );
  });
});

describe("the form and the policy", () => {
  it("starts a new policy with every rule off, in UTC", () => {
    expect(EMPTY).toEqual({
      keepLast: "",
      hourly: "",
      daily: "",
      weekly: "",
      monthly: "",
      yearly: "",
      minAgeDays: "",
      timezone: "UTC",
    });
  });
  it("turns a policy into its form and back into the same policy", () => {
    const policy = {
      keepLast: 3,
      hourly: 24,
      daily: 7,
      weekly: 4,
      monthly: 12,
      yearly: 5,
      minAgeDays: 2,
      timezone: "Europe/Berlin",
    };
    expect(requestOf(formOf(policy))).toEqual({ body: policy, problems: {} });
  });
  it("leaves out empty rules, trims, and sends an empty zone as UTC", () => {
    expect(requestOf({ ...EMPTY, daily: " 7 ", weekly: "4", timezone: "  " })).toEqual({
      body: { daily: 7, weekly: 4, timezone: "UTC" },
      problems: {},
    });
  });
  it("says at the field when a count or the minimum age is no whole number", () => {
    const { body, problems } = requestOf({ ...EMPTY, daily: "7.5", hourly: "-1", minAgeDays: "two", weekly: "4" });
    expect(body).toEqual({ weekly: 4, timezone: "UTC" });
    expect(problems).toEqual({
      daily: "a whole number from 0 to 1,000 (empty or 0: off)",
      hourly: "a whole number from 0 to 1,000 (empty or 0: off)",
      minAgeDays: "whole days from 0 to 36,500 (empty or 0: off)",
    });
  });
  it("knows when the form says the saved policy (0 and empty alike)", () => {
    const saved = { daily: 7, weekly: 4, timezone: "UTC" };
    expect(formSays(formOf(saved), saved)).toBe(true);
    expect(formSays({ ...formOf(saved), keepLast: "0" }, saved)).toBe(true);
    expect(formSays({ ...formOf(saved), weekly: "5" }, saved)).toBe(false);
    expect(formSays({ ...formOf(saved), timezone: "Europe/Berlin" }, saved)).toBe(false);
    expect(formSays(EMPTY, null)).toBe(true);
    expect(formSays({ ...EMPTY, daily: "7" }, null)).toBe(false);
  });
});

describe("problems at their fields", () => {
  const issuesOf = (body: unknown) => {
    const r = RetentionPolicyRequestSchema.safeParse(body);
    if (r.success) throw new Error("expected a refusal");
    return r.error.issues;
  };
  it("puts the schema's refusals at their fields", () => {
    expect(problemsOfIssues(issuesOf({ daily: 1001, minAgeDays: 40_000, timezone: "Mars/Olympus" }))).toEqual({
      daily: "a whole number from 0 to 1,000 (empty or 0: off)",
      minAgeDays: "whole days from 0 to 36,500 (empty or 0: off)",
      timezone: "not a known IANA time zone",
    });
  });
  it("puts a policy that keeps nothing at the rules", () => {
    expect(problemsOfIssues(issuesOf({ daily: 0, timezone: "UTC" }))).toEqual({ rules: RULES_PROBLEM });
  });
  it("puts a field it does not know at the form", () => {
    expect(problemsOfIssues(issuesOf({ daily: 1, fortnightly: 2 }))).toHaveProperty("form");
  });
  it("puts the API's refusal at its field", () => {
    expect(problemsOfRefusal("invalid body: timezone: not a known IANA time zone")).toEqual({
      timezone: "not a known IANA time zone",
    });
    expect(problemsOfRefusal("invalid body: weekly: Number must be less than or equal to 1000")).toEqual({
      weekly: "a whole number from 0 to 1,000 (empty or 0: off)",
    });
    expect(problemsOfRefusal("invalid body: (root): a policy keeps something")).toEqual({ rules: RULES_PROBLEM });
    expect(problemsOfRefusal("invalid body: other.x: no")).toEqual({ form: "invalid body: other.x: no" });
    expect(problemsOfRefusal("invalid body: (root): Unrecognized key(s) in object: 'x'")).toEqual({
      form: "invalid body: (root): Unrecognized key(s) in object: 'x'",
    });
    expect(problemsOfRefusal("database not found")).toEqual({ form: "database not found" });
  });
  it("says why there is no preview", () => {
    expect(previewBlocker({ timezone: "not a known IANA time zone" })).toBe(
      "No preview until the time zone is corrected.",
    );
    expect(previewBlocker({ daily: "x", weekly: "y", rules: "z" })).toBe(
      "No preview until the daily count and the weekly count are corrected.",
    );
    expect(previewBlocker({ rules: "a policy keeps something" })).toBe(
      "No preview yet: turn on a rule (a count or a minimum age) to see what the policy keeps.",
    );
  });
});

describe("the preview's inputs and counts", () => {
  const state: RetentionState = RetentionStateSchema.parse({
    databaseId: "db_1",
    policy: { daily: 7, timezone: "UTC" },
    decidedAt: "2026-12-06T22:00:00.000Z",
    protectedBackupId: "bk_2",
    verdicts: [
      { backupId: "bk_3", at: "2026-12-06T21:00:00.000Z", keep: true, reasons: ["newest", "daily:2026-12-06"] },
      { backupId: "bk_2", at: "2026-12-06T20:00:00.000Z", keep: true, reasons: ["protected"] },
      { backupId: "bk_1", at: "2026-12-06T19:00:00.000Z", keep: false, reasons: ["unkept"] },
    ],
    expired: [{ backupId: "bk_0", expiredAt: "2026-12-06T21:30:00.000Z" }],
  });
  it("reads the Worker's backups and protected id as the decision's input", () => {
    expect(backupsOf(state)).toEqual([
      { backupId: "bk_3", at: Date.UTC(2026, 11, 6, 21) },
      { backupId: "bk_2", at: Date.UTC(2026, 11, 6, 20) },
      { backupId: "bk_1", at: Date.UTC(2026, 11, 6, 19) },
    ]);
    expect(protectedIdsOf(state)).toEqual(new Set(["bk_2"]));
    expect(protectedIdsOf({ protectedBackupId: null })).toEqual(new Set());
  });
  it("counts kept, expiring and deleted", () => {
    expect(previewCounts(state.verdicts, state.expired.length)).toEqual({ kept: 2, expiring: 1, deleted: 1 });
  });
  it("says the counts in a sentence", () => {
    expect(countsWords({ kept: 14, expiring: 31, deleted: 0 })).toBe("14 backups are kept, 31 expire.");
    expect(countsWords({ kept: 1, expiring: 1, deleted: 1 })).toBe(
      "1 backup is kept, 1 expires; 1 was deleted already.",
    );
    expect(countsWords({ kept: 6, expiring: 0, deleted: 3 })).toBe(
      "6 backups are kept, none expires; 3 were deleted already.",
    );
    expect(countsWords({ kept: 0, expiring: 0, deleted: 0 })).toBe("No completed backups to decide on yet.");
    expect(countsWords({ kept: 0, expiring: 0, deleted: 2 })).toBe("No backups left; 2 were deleted already.");
  });
  it("says the lock a policy asks for", () => {
    expect(lockWords(38)).toBe("38 days for each new backup");
    expect(lockWords(1)).toBe("1 day for each new backup");
    expect(lockWords(null)).toMatch(/^no bound in time .*configured lock days apply$/);
  });
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("how often a schedule's cron fires", () => {
  it("reads the five fields as croner does, averaged over a 28-year cycle so days and weeks are exact", () => {
    expect(cronIntervalMs("0 3 * * *")).toBe(DAY);
    expect(cronIntervalMs("*/15 * * * *")).toBe(15 * MINUTE);
    expect(cronIntervalMs("15,45 */4 * * *")).toBe(2 * HOUR);
    expect(cronIntervalMs("0 */6 * * *")).toBe(6 * HOUR);
    expect(cronIntervalMs("0 4 * * 0")).toBe(7 * DAY);
    expect(cronIntervalMs("0 4 * * 7")).toBe(7 * DAY);
    expect(cronIntervalMs("0 4 * * SUN")).toBe(7 * DAY);
    expect(cronIntervalMs("0 3 * * 1-5")).toBe(33.6 * HOUR);
    expect(cronIntervalMs("0 3 * * mon-fri")).toBe(33.6 * HOUR);
    expect(cronIntervalMs("0 6 * * mon-sun")).toBe(DAY);
    expect(cronIntervalMs("0 0 1 * *")).toBe((10_227 / 336) * DAY); // 336 months in 10,227 days
    expect(cronIntervalMs("0 0 * jan,jul sun")).toBe(Math.round((10_227 * DAY) / 248));
    expect(cronIntervalMs("@daily")).toBe(DAY);
    expect(cronIntervalMs("@hourly")).toBe(HOUR);
    expect(cronIntervalMs("@weekly")).toBe(7 * DAY);
    expect(cronIntervalMs(" 0 3 * * * ")).toBe(DAY);
  });
  it("counts a day of the month or of the week when both are restricted", () => {
    // The 13th or any Friday: a little more often than weekly.
    const friday13 = cronIntervalMs("0 0 13 * 5")!;
    expect(friday13).toBeLessThan(7 * DAY);
    expect(friday13).toBeGreaterThan(5 * DAY);
    // Only the day of the month restricted: the month's days alone.
    expect(cronIntervalMs("0 0 1,15 * *")).toBe(Math.round((10_227 * DAY) / (336 * 2)));
  });
  it("says null for what it does not read, and for a cron that never fires", () => {
    for (const cron of [
      "0 0 L * *",
      "0 0 * * 5#3",
      "0 0 15W * *",
      "5/15 * * * *",
      "0 0 0 * * *",
      "61 * * * *",
      "0 0 30 2 *",
      "@reboot",
      "",
    ])
      expect(cronIntervalMs(cron), cron).toBeNull();
  });
});

describe("the cadence a projection assumes", () => {
  const schedule = (cron: string, enabled = true) => ({ cron, enabled });
  it("is the shortest interval of the enabled schedules", () => {
    expect(scheduleCadence([schedule("0 3 * * *"), schedule("0 */6 * * *"), schedule("*/5 * * * *", false)])).toEqual({
      ms: 6 * HOUR,
      from: "schedule",
      cron: "0 */6 * * *",
    });
  });
  it("is no more backups without an enabled schedule", () => {
    expect(scheduleCadence([])).toEqual({ ms: null, from: "no-schedule" });
    expect(scheduleCadence([schedule("0 3 * * *", false)])).toEqual({ ms: null, from: "no-schedule" });
  });
  it("falls back to the median gap of the last backups when no enabled cron is readable", () => {
    expect(scheduleCadence([schedule("0 0 L * *"), schedule("0 3 * * *", false)])).toBe("unreadable");
    const at = (h: number) => new Date(Date.UTC(2026, 11, 6) + h * HOUR).toISOString();
    expect(gapCadence([at(0), at(6), at(12), at(13), at(30)])).toEqual({ ms: 6 * HOUR, from: "backups" });
    expect(gapCadence([at(12), at(0), at(6), at(18)])).toEqual({ ms: 6 * HOUR, from: "backups" });
    expect(gapCadence([at(0), at(1), at(4)])).toEqual({ ms: 2 * HOUR, from: "backups" });
    // Seconds apart: at least a minute, the cron tick's grain.
    expect(gapCadence(["2026-12-06T12:00:00.000Z", "2026-12-06T12:00:05.000Z"])).toEqual({
      ms: MINUTE,
      from: "backups",
    });
    expect(gapCadence([at(0)])).toBeNull();
    expect(gapCadence([])).toBeNull();
  });
});

describe("the projection in words", () => {
  it("says intervals and spans", () => {
    expect(intervalWords(DAY)).toBe("day");
    expect(intervalWords(6 * HOUR)).toBe("6 hours");
    expect(intervalWords(15 * MINUTE)).toBe("15 minutes");
    expect(intervalWords(7 * DAY)).toBe("week");
    expect(intervalWords(14 * DAY)).toBe("2 weeks");
    expect(intervalWords(33.6 * HOUR)).toBe("33 h 36 min");
    expect(spanWords(730 * DAY)).toBe("2 years");
    expect(spanWords(20_000 * HOUR)).toBe("833 days");
    expect(spanWords(20_000 * MINUTE)).toBe("13 days");
    expect(spanWords(40 * HOUR)).toBe("40 hours");
  });
  it("says what the projection assumes, under the table", () => {
    expect(projectionNote({ ms: DAY, from: "schedule", cron: "0 3 * * *" })).toBe(
      "Expires is a projection: it assumes a backup every day, as the schedule says (0 3 * * *), and no newer passing drill (one would let the backup of the latest drill go sooner).",
    );
    expect(projectionNote({ ms: 2 * HOUR, from: "backups" })).toMatch(
      /^Expires is a projection: it assumes a backup every 2 hours, the median gap of the last backups/,
    );
    expect(projectionNote({ ms: null, from: "no-schedule" })).toBe(
      "Expires is a projection: it assumes no more backups (no schedule is enabled) and no newer passing drill (one would let the backup of the latest drill go sooner).",
    );
    expect(NO_PROJECTION).toMatch(/^No expiry projection/);
  });
  it("says each backup's expiry", () => {
    const p = { now: "2026-12-06T12:00:00.000Z", horizon: "2028-12-05T12:00:00.000Z" };
    expect(expiryWords({ next: true, expiresAt: null, lastKeptBy: [] }, p)).toBe("at the next prune");
    expect(
      expiryWords({ next: false, expiresAt: "2026-12-28T12:00:00.000Z", lastKeptBy: ["weekly:2026-W49"] }, p),
    ).toBe("around");
    expect(expiryWords({ next: false, expiresAt: null, lastKeptBy: ["protected"] }, p)).toBe("not within 2 years");
    expect(
      expiryWords(
        { next: false, expiresAt: null, lastKeptBy: ["yearly:2026"] },
        { ...p, horizon: "2026-12-20T05:20:00.000Z" },
      ),
    ).toBe("not within 13 days");
  });
});

describe("the projection through the engine (the verifier's projectExpiry)", () => {
  const at = (d: number) => new Date(Date.UTC(2026, 11, 6, 12) - d * DAY).toISOString();
  const state: RetentionState = {
    databaseId: "db_1",
    policy: { keepLast: 3, timezone: "UTC" },
    decidedAt: at(0),
    protectedBackupId: "bk_0",
    verdicts: [0, 1, 2, 3, 4].map((d) => ({ backupId: `bk_${4 - d}`, at: at(d), keep: d < 3, reasons: [] })),
    expired: [],
  };
  it("gives each backup's expiry over the Worker's state: the oldest kept first, the protected never", () => {
    const p = projectFates(state, { keepLast: 3, timezone: "UTC" }, DAY);
    if ("problem" in p) throw new Error(p.problem);
    expect(p.now).toBe(at(0));
    expect(p.horizon).toBe(new Date(Date.parse(at(0)) + 730 * DAY).toISOString());
    expect(Object.fromEntries([...p.expiries].map(([id, e]) => [id, e.next ? "next" : e.expiresAt]))).toEqual({
      bk_4: at(-3),
      bk_3: at(-2),
      bk_2: at(-1),
      bk_1: "next",
      bk_0: null, // protected: kept while it is the latest drill's backup
    });
    expect(p.expiries.get("bk_0")!.lastKeptBy).toEqual(["protected"]);
  });
  it("says why there is none for a zone this runtime does not know", () => {
    expect(projectFates(state, { daily: 3, timezone: "Mars/Olympus" }, DAY)).toEqual({
      problem: "not a known time zone: Mars/Olympus",
    });
  });
});
