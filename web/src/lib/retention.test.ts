import { MAX_MIN_AGE_DAYS, MAX_RETENTION_COUNT, RETENTION_PERIODS } from "@walwarden/verifier";
import { RetentionPolicyRequestSchema, RetentionStateSchema } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import {
  backupsOf,
  countsWords,
  formOf,
  formSays,
  lockWords,
  MAX_AGE_DAYS,
  MAX_COUNT,
  PERIODS,
  previewBlocker,
  previewCounts,
  problemsOfIssues,
  problemsOfRefusal,
  protectedIdsOf,
  reasonsWords,
  reasonWords,
  type RetentionState,
  RULES_PROBLEM,
  requestOf,
} from "./retention.js";

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
