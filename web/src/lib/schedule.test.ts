import { describe, expect, it } from "vitest";
import {
  changesOf,
  cronOf,
  cronWords,
  formOf,
  formSays,
  MAX_RPO_MINUTES,
  MIN_RPO_MINUTES,
  NEW_SCHEDULE,
  PRESETS,
  presetOf,
  problemsOfIssues,
  problemsOfRefusal,
  requestOf,
  rpoFieldsOf,
  rpoWarning,
  runWords,
  spanWords,
} from "./schedule.js";
import type { Schedule } from "@walwarden/verifier/wire";
import { CreateScheduleRequestSchema } from "@walwarden/verifier/wire";

const schedule = (over: Partial<Schedule> = {}): Schedule => ({
  id: "sch_1",
  databaseId: "db_1",
  cron: "0 3 * * *",
  timezone: "Europe/Berlin",
  targetRpoMinutes: 1560,
  enabled: true,
  nextRunAt: "2026-11-25T02:00:00.000Z",
  createdAt: "2026-11-24T00:00:00.000Z",
  updatedAt: "2026-11-24T00:00:00.000Z",
  ...over,
});

describe("presets", () => {
  it("each preset's cron reads back as the same preset", () => {
    for (const preset of PRESETS.filter((p) => p !== "custom")) {
      const form = { ...NEW_SCHEDULE, preset, hour: "17", weekday: "5" };
      const back = presetOf(cronOf(form));
      expect(back.preset, preset).toBe(preset);
      expect(cronOf({ ...form, ...back })).toBe(cronOf(form));
    }
    expect(cronOf({ ...NEW_SCHEDULE, preset: "weekly", hour: "4", weekday: "0" })).toBe("0 4 * * 0");
    expect(cronOf({ ...NEW_SCHEDULE, preset: "daily", hour: "0" })).toBe("0 0 * * *");
  });

  it("anything else is custom, kept as typed (spaces tidied)", () => {
    for (const cron of ["*/15 * * * *", "0 03 * * *", "30 3 * * *", "0 3 * * 1-5", "@daily", "0 3 1 * *"])
      expect(presetOf(cron).preset, cron).toBe("custom");
    expect(cronOf({ ...NEW_SCHEDULE, preset: "custom", cron: "  */15   * * * * " })).toBe("*/15 * * * *");
  });

  it("says the presets in words and leaves a custom cron to be shown as it is", () => {
    expect(cronWords("0 * * * *")).toBe("Every hour");
    expect(cronWords("0 */6 * * *")).toBe("Every 6 hours");
    expect(cronWords("0 3 * * *")).toBe("Daily at 03:00");
    expect(cronWords("0 22 * * 6")).toBe("Weekly on Saturday at 22:00");
    expect(cronWords("*/5 * * * *")).toBeNull();
  });
});

describe("the form and its request", () => {
  it("reads a schedule back: preset, zone, target in its largest whole unit, enabled", () => {
    expect(formOf(schedule())).toEqual({
      preset: "daily",
      hour: "3",
      weekday: "0",
      cron: "0 3 * * *",
      timezone: "Europe/Berlin",
      rpo: "26",
      rpoUnit: "hours",
      enabled: true,
    });
    expect(rpoFieldsOf(2880)).toEqual({ rpo: "2", rpoUnit: "days" });
    expect(rpoFieldsOf(90)).toEqual({ rpo: "90", rpoUnit: "minutes" });
    expect(formOf(null)).toEqual(NEW_SCHEDULE);
  });

  it("sends the cron, the zone (empty: UTC), the target in minutes and enabled", () => {
    expect(requestOf({ ...NEW_SCHEDULE, timezone: " ", rpo: "2", rpoUnit: "days" })).toEqual({
      body: { cron: "0 3 * * *", timezone: "UTC", targetRpoMinutes: 2880, enabled: true },
      problems: {},
    });
    expect(requestOf({ ...NEW_SCHEDULE, rpo: "1.5" }).problems.rpo).toMatch(/whole number/);
    expect(requestOf({ ...NEW_SCHEDULE, rpo: "" }).problems.rpo).toMatch(/whole number/);
  });

  it("knows an unchanged form and sends only what changed", () => {
    const s = schedule();
    expect(formSays(formOf(s), s)).toBe(true);
    expect(formSays({ ...formOf(s), enabled: false }, s)).toBe(false);
    expect(formSays(NEW_SCHEDULE, null)).toBe(false);
    const { body } = requestOf({ ...formOf(s), preset: "hourly", rpo: "2" });
    expect(changesOf(body, s)).toEqual({ cron: "0 * * * *", targetRpoMinutes: 120 });
  });

  it("the target's bounds are the schema's", () => {
    const base = { databaseId: "db_1", cron: "0 3 * * *", timezone: "UTC" };
    expect(CreateScheduleRequestSchema.safeParse({ ...base, targetRpoMinutes: MIN_RPO_MINUTES }).success).toBe(true);
    expect(CreateScheduleRequestSchema.safeParse({ ...base, targetRpoMinutes: MIN_RPO_MINUTES - 1 }).success).toBe(
      false,
    );
    expect(CreateScheduleRequestSchema.safeParse({ ...base, targetRpoMinutes: MAX_RPO_MINUTES }).success).toBe(true);
    expect(CreateScheduleRequestSchema.safeParse({ ...base, targetRpoMinutes: MAX_RPO_MINUTES + 1 }).success).toBe(
      false,
    );
  });
});

describe("where problems are shown", () => {
  it("puts the schema's issues at their fields, the first of each", () => {
    const parsed = CreateScheduleRequestSchema.safeParse({
      databaseId: "db_1",
      cron: "x",
      timezone: "Mars/Base",
      targetRpoMinutes: 1,
    });
    expect(parsed.success).toBe(false);
    expect(problemsOfIssues(parsed.error!.issues)).toEqual({
      cron: "a five-field cron: minute hour day-of-month month day-of-week, e.g. 0 3 * * *",
      timezone: "not a known IANA time zone",
      rpo: "a whole number: from 5 minutes to 90 days",
    });
    expect(problemsOfIssues([{ path: ["extra"], message: "Unrecognized key" }])).toEqual({ form: "Unrecognized key" });
  });

  it("puts the API's refusal at its field, else on the form", () => {
    expect(problemsOfRefusal('invalid body: cron: cron "61 * * * *": Invalid value for minute: 61')).toEqual({
      cron: 'cron "61 * * * *": Invalid value for minute: 61',
    });
    expect(problemsOfRefusal("invalid body: timezone: not a known IANA time zone")).toEqual({
      timezone: "not a known IANA time zone",
    });
    expect(problemsOfRefusal("database not found")).toEqual({ form: "database not found" });
    expect(problemsOfRefusal("invalid body: (root): nothing to change")).toEqual({
      form: "invalid body: (root): nothing to change",
    });
  });
});

describe("the target against the interval", () => {
  it("warns when the target is shorter than the longest gap between runs, not when it covers it", () => {
    expect(rpoWarning(60, 6 * 3600)).toBe(
      "The target (1 hour) is shorter than the longest gap between runs (6 hours): before each next backup the last one is older than the target, and the database reads as breached. Choose a target of at least 6 hours plus the backup's own time, or back up more often.",
    );
    expect(rpoWarning(24 * 60, 25 * 3600)).toMatch(
      /\(1 day\) is shorter than the longest gap between runs \(25 hours\)/,
    );
    expect(rpoWarning(360, 6 * 3600)).toBeUndefined();
    expect(rpoWarning(60, null)).toBeUndefined();
    expect(rpoWarning(Number.NaN, 3600)).toBeUndefined();
  });

  it("says spans in words", () => {
    expect(spanWords(3600)).toBe("1 hour");
    expect(spanWords(90 * 60)).toBe("90 minutes");
    expect(spanWords(26 * 3600)).toBe("26 hours");
    expect(spanWords(7 * 86_400)).toBe("7 days");
    expect(spanWords(36 * 3600 + 86_400)).toBe("2 days 12 hours");
    expect(spanWords(5 * 60)).toBe("5 minutes");
    expect(spanWords(86_400)).toBe("1 day");
    expect(spanWords(90_000)).toBe("25 hours");
  });
});

describe("runWords", () => {
  it("says a run at the zone's wall clock with the zone's short name", () => {
    const at = Date.parse("2026-11-25T02:00:00Z");
    expect(runWords(at, "Europe/Berlin")).toBe("Wed 25 Nov 2026, 03:00 CET");
    expect(runWords(at, "UTC")).toBe("Wed 25 Nov 2026, 02:00 UTC");
    expect(runWords(at, "Asia/Kolkata")).toBe("Wed 25 Nov 2026, 07:30 GMT+5:30");
  });
});
