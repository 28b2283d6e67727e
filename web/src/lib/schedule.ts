// Backup schedules in the dashboard's words: the presets the form offers and the cron each one sends, a
// schedule's cron read back as words, the form as typed and the request it makes, where a problem is shown,
// a run's time in the schedule's zone, and the warning when the target RPO is shorter than the gap between
// runs. Pure, with types only from the verifier (the cron itself is read in schedule-engine.ts, in its chunk).
import type { Schedule } from "@walwarden/verifier/wire";

/** What the form offers: the common cadences, and any five-field cron. */
export const PRESETS = ["hourly", "every-6-hours", "daily", "weekly", "custom"] as const;
/** A preset. */
export type Preset = (typeof PRESETS)[number];

/** Each preset's label in the form. */
export const PRESET_WORDS: Record<Preset, string> = {
  hourly: "Every hour",
  "every-6-hours": "Every 6 hours",
  daily: "Daily, at a chosen hour",
  weekly: "Weekly, on a chosen day and hour",
  custom: "Custom cron",
};

/** Weekdays as cron numbers them (0 Sunday … 6 Saturday). */
export const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

/** The units a target RPO is typed in, and their minutes. */
export const RPO_UNITS = { minutes: 1, hours: 60, days: 1440 } as const;
/** A target RPO's unit. */
export type RpoUnit = keyof typeof RPO_UNITS;

/** The schema's bounds of a target RPO, in minutes (the wire's CreateScheduleRequestSchema: 5 minutes to 90 days). */
export const MIN_RPO_MINUTES = 5;
export const MAX_RPO_MINUTES = 60 * 24 * 90;

/** The form's fields, as typed. */
export interface ScheduleForm {
  preset: Preset;
  /** The hour of a daily or weekly preset, "0" … "23". */
  hour: string;
  /** The day of a weekly preset, "0" (Sunday) … "6". */
  weekday: string;
  /** The expression of the custom preset. */
  cron: string;
  /** The IANA zone (empty: UTC). */
  timezone: string;
  rpo: string;
  rpoUnit: RpoUnit;
  enabled: boolean;
}
/** A field of the form. */
export type ScheduleField = keyof ScheduleForm;
/** Where a problem is shown: at the cron (the preset or custom expression), the zone, the target, or the form. */
export type ScheduleProblemAt = "cron" | "timezone" | "rpo" | "form";
/** Problems by where they are shown. */
export type ScheduleProblems = Partial<Record<ScheduleProblemAt, string>>;

/** A new schedule's form: daily at 03:00 UTC with a 26-hour target (a day and the backup's own time), enabled. */
export const NEW_SCHEDULE: ScheduleForm = {
  preset: "daily",
  hour: "3",
  weekday: "0",
  cron: "0 3 * * *",
  timezone: "UTC",
  rpo: "26",
  rpoUnit: "hours",
  enabled: true,
};

/** The cron a form says: its preset's, or the custom expression as typed (trimmed). */
export function cronOf(form: Pick<ScheduleForm, "preset" | "hour" | "weekday" | "cron">): string {
  switch (form.preset) {
    case "hourly":
      return "0 * * * *";
    case "every-6-hours":
      return "0 */6 * * *";
    case "daily":
      return `0 ${Number(form.hour)} * * *`;
    case "weekly":
      return `0 ${Number(form.hour)} * * ${Number(form.weekday)}`;
    case "custom":
      return form.cron.trim().replace(/\s+/g, " ");
  }
}

/** An hour as cronOf writes it (no leading zero), so a preset's cron reads back as the same text. */
const HOUR = /^(?:1?\d|2[0-3])$/;

/** Which preset a cron is, with its hour and day, exactly as cronOf writes it; anything else is custom. */
export function presetOf(cron: string): Pick<ScheduleForm, "preset" | "hour" | "weekday" | "cron"> {
  const text = cron.trim().replace(/\s+/g, " ");
  const base = { hour: NEW_SCHEDULE.hour, weekday: NEW_SCHEDULE.weekday, cron: text };
  if (text === "0 * * * *") return { ...base, preset: "hourly" };
  if (text === "0 */6 * * *") return { ...base, preset: "every-6-hours" };
  const f = text.split(" ");
  if (f.length === 5 && f[0] === "0" && HOUR.test(f[1]!) && f[2] === "*" && f[3] === "*") {
    const hour = String(Number(f[1]));
    if (f[4] === "*") return { ...base, preset: "daily", hour };
    if (/^[0-6]$/.test(f[4]!)) return { ...base, preset: "weekly", hour, weekday: f[4]! };
  }
  return { ...base, preset: "custom" };
}

/** A target RPO in the largest unit it is a whole number of. */
export function rpoFieldsOf(minutes: number): Pick<ScheduleForm, "rpo" | "rpoUnit"> {
  if (minutes % RPO_UNITS.days === 0) return { rpo: String(minutes / RPO_UNITS.days), rpoUnit: "days" };
  if (minutes % RPO_UNITS.hours === 0) return { rpo: String(minutes / RPO_UNITS.hours), rpoUnit: "hours" };
  return { rpo: String(minutes), rpoUnit: "minutes" };
}

/** The form for a schedule (null: a new one). */
export function formOf(
  schedule: Pick<Schedule, "cron" | "timezone" | "targetRpoMinutes" | "enabled"> | null,
): ScheduleForm {
  if (!schedule) return { ...NEW_SCHEDULE };
  return {
    ...presetOf(schedule.cron),
    timezone: schedule.timezone,
    ...rpoFieldsOf(schedule.targetRpoMinutes),
    enabled: schedule.enabled,
  };
}

/** "01:00", "23:00". */
export const hourWords = (hour: number) => `${String(hour).padStart(2, "0")}:00`;

/** A cron in words, for the presets: "Every hour", "Daily at 03:00", "Weekly on Sunday at 04:00"; else null. */
export function cronWords(cron: string): string | null {
  const p = presetOf(cron);
  switch (p.preset) {
    case "hourly":
      return "Every hour";
    case "every-6-hours":
      return "Every 6 hours";
    case "daily":
      return `Daily at ${hourWords(Number(p.hour))}`;
    case "weekly":
      return `Weekly on ${WEEKDAYS[Number(p.weekday)]} at ${hourWords(Number(p.hour))}`;
    case "custom":
      return null;
  }
}

const RPO_PROBLEM = "a whole number: from 5 minutes to 90 days";

/**
 * The body the form says (the cron its preset's, an empty zone UTC, the target in minutes), and a problem
 * when the target is no whole number; the schema judges the rest (its range, the zone, the cron's length)
 * and the cron module whether the cron fires.
 */
export function requestOf(form: ScheduleForm): {
  body: { cron: string; timezone: string; targetRpoMinutes: number; enabled: boolean };
  problems: ScheduleProblems;
} {
  const problems: ScheduleProblems = {};
  const text = form.rpo.trim();
  let minutes = Number.NaN;
  if (/^\d{1,7}$/.test(text)) minutes = Number(text) * RPO_UNITS[form.rpoUnit];
  else problems.rpo = RPO_PROBLEM;
  return {
    body: {
      cron: cronOf(form),
      timezone: form.timezone.trim() || "UTC",
      targetRpoMinutes: minutes,
      enabled: form.enabled,
    },
    problems,
  };
}

/** Where a body's field is shown. */
function placeOf(key: PropertyKey | undefined): ScheduleProblemAt {
  if (key === "cron") return "cron";
  if (key === "timezone") return "timezone";
  if (key === "targetRpoMinutes") return "rpo";
  return "form";
}

/** A problem's words at its place: the form's own for the target, the schema's or the API's otherwise. */
const wordsAt = (at: ScheduleProblemAt, message: string) =>
  at === "rpo" ? RPO_PROBLEM : at === "cron" ? cronProblemWords(message) : message;

/** The schema's few words on a too-short or too-long cron, as the field says them. */
function cronProblemWords(message: string): string {
  if (/too small|>=/i.test(message))
    return "a five-field cron: minute hour day-of-month month day-of-week, e.g. 0 3 * * *";
  if (/too big|<=/i.test(message)) return "a cron of at most 120 characters";
  return message;
}

/** Schema issues (zod's `path` and `message`) placed at their fields: the first issue of each place wins. */
export function problemsOfIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): ScheduleProblems {
  const out: ScheduleProblems = {};
  for (const issue of issues) {
    const at = placeOf(issue.path[0]);
    if (out[at] === undefined) out[at] = wordsAt(at, issue.message);
  }
  return out;
}

/** The API's refusal ("invalid body: cron: cron "…": Invalid value for minute: 61") placed at its field. */
export function problemsOfRefusal(message: string): ScheduleProblems {
  const m = /^invalid body: ([^:\s]+): (.+)$/s.exec(message);
  if (!m) return { form: message };
  const at = placeOf(m[1]!.split(".")[0]);
  return at === "form" ? { form: message } : { [at]: wordsAt(at, m[2]!) };
}

/** Whether the form says the schedule as saved (null: a new one is always a change). */
export function formSays(form: ScheduleForm, schedule: Schedule | null): boolean {
  if (!schedule) return false;
  const { body, problems } = requestOf(form);
  return (
    Object.keys(problems).length === 0 &&
    body.cron === schedule.cron &&
    body.timezone === schedule.timezone &&
    body.targetRpoMinutes === schedule.targetRpoMinutes &&
    body.enabled === schedule.enabled
  );
}

/** The PATCH body for an edit: only what changed (the API recomputes the next run when cron, zone or enabled do). */
export function changesOf(
  body: ReturnType<typeof requestOf>["body"],
  schedule: Schedule,
): Partial<ReturnType<typeof requestOf>["body"]> {
  const out: Partial<ReturnType<typeof requestOf>["body"]> = {};
  if (body.cron !== schedule.cron) out.cron = body.cron;
  if (body.timezone !== schedule.timezone) out.timezone = body.timezone;
  if (body.targetRpoMinutes !== schedule.targetRpoMinutes) out.targetRpoMinutes = body.targetRpoMinutes;
  if (body.enabled !== schedule.enabled) out.enabled = body.enabled;
  return out;
}

const MINUTE = 60;
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** Seconds as a span: "1 hour", "6 hours", "1 day", "25 hours", "7 days", "90 minutes", "1 day 12 hours". */
export function spanWords(seconds: number): string {
  const minutes = Math.round(seconds / MINUTE);
  if (minutes < 120 && minutes % 60 !== 0) return plural(minutes, "minute");
  const hours = Math.floor(minutes / 60);
  if (hours < 48 && minutes !== 24 * 60)
    return minutes % 60 ? `${plural(hours, "hour")} ${plural(minutes % 60, "minute")}` : plural(hours, "hour");
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${plural(days, "day")} ${plural(hours % 24, "hour")}` : plural(days, "day");
}

/**
 * The warning when a target RPO is shorter than the schedule's interval (the longest gap between two runs,
 * as the Worker measures a cron's): between two runs the last backup grows older than the target, so the
 * database reads as breached before each next backup. Undefined when the target covers the interval.
 */
export function rpoWarning(targetRpoMinutes: number, intervalSeconds: number | null): string | undefined {
  if (intervalSeconds === null || !Number.isFinite(targetRpoMinutes)) return undefined;
  if (targetRpoMinutes * MINUTE >= intervalSeconds) return undefined;
  return `The target (${spanWords(targetRpoMinutes * MINUTE)}) is shorter than the longest gap between runs (${spanWords(intervalSeconds)}): before each next backup the last one is older than the target, and the database reads as breached. Choose a target of at least ${spanWords(intervalSeconds)} plus the backup's own time, or back up more often.`;
}

/** A run's instant as its zone's wall clock: "Tue 24 Nov 2026, 03:00 GMT+1" (the zone's own short name). */
export function runWords(ms: number, timezone: string): string {
  try {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone: timezone,
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    })
      .format(new Date(ms))
      .replace(/^(\w{3}),? /, "$1 ");
  } catch {
    return new Date(ms).toISOString();
  }
}
