// Retention (verifier/SPEC.md §12) in the dashboard's words: each reason a backup is kept or expires, the
// policy editor's form as typed and the body it sends, where a refusal is shown, the preview's counts, and
// the expiry projection's cadence (from the schedules' crons) and words. Pure, with types only from the
// verifier (the decision and the projection run in retention-engine.ts, in its chunk).
import type { RetainedBackup, RetentionPeriod, RetentionPolicy } from "@walwarden/verifier";
import { formatDuration } from "./format.js";

/** The calendar periods, shortest first (the verifier's RETENTION_PERIODS; a unit test holds them equal). */
export const PERIODS: readonly RetentionPeriod[] = ["hourly", "daily", "weekly", "monthly", "yearly"];
/** Most of any one count (the verifier's MAX_RETENTION_COUNT). */
export const MAX_COUNT = 1000;
/** Most days of a minimum age (the verifier's MAX_MIN_AGE_DAYS). */
export const MAX_AGE_DAYS = 36_500;
/** The reason the Worker gives every backup of a database without a policy. */
export const NO_POLICY_REASON = "no-policy";

/** GET /v1/databases/:id/retention (the wire's RetentionStateSchema): the Worker's decision now. */
export interface RetentionState {
  databaseId: string;
  policy: RetentionPolicy | null;
  decidedAt: string;
  protectedBackupId: string | null;
  verdicts: { backupId: string; at: string; keep: boolean; reasons: string[] }[];
  expired: { backupId: string; expiredAt: string }[];
}

/** GET|PUT /v1/databases/:id/retention-policy (the wire's RetentionPolicyResponseSchema). */
export interface RetentionPolicyView {
  databaseId: string;
  policy: RetentionPolicy;
  lockDays: number | null;
  updatedAt: string;
}

/** One backup's fate as the list shows it: the ISO instant of its backup.completed entry, kept or not, why. */
export interface Fate {
  backupId: string;
  at: string;
  keep: boolean;
  reasons: string[];
}

/** The editor's fields, as typed (empty: the rule is off; the zone empty is UTC). */
export interface RetentionForm {
  keepLast: string;
  hourly: string;
  daily: string;
  weekly: string;
  monthly: string;
  yearly: string;
  minAgeDays: string;
  timezone: string;
}
/** A field of the editor. */
export type RetentionField = keyof RetentionForm;
/** A field holding a whole number. */
export type NumberField = Exclude<RetentionField, "timezone">;
/** Where a problem is shown: at a field, at the rules as a whole (a policy that keeps nothing), or the form. */
export type ProblemAt = RetentionField | "rules" | "form";
/** Problems by where they are shown. */
export type FormProblems = Partial<Record<ProblemAt, string>>;

/** The count fields, in the editor's order. */
export const COUNT_FIELDS = ["keepLast", ...PERIODS] as const;
/** Every numeric field. */
const NUMBER_FIELDS: readonly NumberField[] = [...COUNT_FIELDS, "minAgeDays"];

/** Each field's label. */
export const FIELD_LABELS: Record<RetentionField, string> = {
  keepLast: "Keep the last",
  hourly: "Hourly",
  daily: "Daily",
  weekly: "Weekly",
  monthly: "Monthly",
  yearly: "Yearly",
  minAgeDays: "Minimum age (days)",
  timezone: "Time zone",
};

/** What a number field keeps, under its label. */
export const FIELD_HINTS: Record<NumberField, string> = {
  keepLast: "newest backups",
  hourly: "one of each of the newest hours",
  daily: "one of each of the newest days",
  weekly: "one of each of the newest ISO weeks",
  monthly: "one of each of the newest months",
  yearly: "one of each of the newest years",
  minAgeDays: "nothing younger expires",
};

/** What a policy that keeps nothing is told, at the rules (the schema's check, in the editor's words). */
export const RULES_PROBLEM =
  "Turn on a rule: keep the last, a period count or a minimum age (a policy that keeps nothing would expire all but the newest backup).";
const COUNT_PROBLEM = `a whole number from 0 to ${MAX_COUNT.toLocaleString("en")} (empty or 0: off)`;
const AGE_PROBLEM = `whole days from 0 to ${MAX_AGE_DAYS.toLocaleString("en")} (empty or 0: off)`;

/** The form for a policy (null: a new one, every rule off, in UTC). */
export function formOf(policy: RetentionPolicy | null): RetentionForm {
  const text = (n: number | undefined) => (n ? String(n) : "");
  return {
    keepLast: text(policy?.keepLast),
    hourly: text(policy?.hourly),
    daily: text(policy?.daily),
    weekly: text(policy?.weekly),
    monthly: text(policy?.monthly),
    yearly: text(policy?.yearly),
    minAgeDays: text(policy?.minAgeDays),
    timezone: policy?.timezone ?? "UTC",
  };
}

/**
 * The PUT body the form says (a rule left empty is left out, an empty zone is UTC), and the fields whose
 * text is no whole number; the schema judges the rest (ranges, the zone, that a rule is on).
 */
export function requestOf(form: RetentionForm): { body: Record<string, number | string>; problems: FormProblems } {
  const body: Record<string, number | string> = {};
  const problems: FormProblems = {};
  for (const field of NUMBER_FIELDS) {
    const text = form[field].trim();
    if (text === "") continue;
    if (/^\d{1,9}$/.test(text)) body[field] = Number(text);
    else problems[field] = numberProblem(field);
  }
  body.timezone = form.timezone.trim() || "UTC";
  return { body, problems };
}

const numberProblem = (field: NumberField) => (field === "minAgeDays" ? AGE_PROBLEM : COUNT_PROBLEM);

/**
 * Schema issues (zod's `code`, `path` and `message`) placed at their fields: the first issue of each wins.
 * The policy's own check (a custom issue at the root) is the rules'; any other root issue is the form's.
 */
export function problemsOfIssues(
  issues: readonly { code?: string; path: readonly PropertyKey[]; message: string }[],
): FormProblems {
  const out: FormProblems = {};
  for (const issue of issues) {
    const at = issue.path.length === 0 && issue.code !== "custom" ? "form" : placeOf(issue.path[0]);
    if (out[at] !== undefined) continue;
    out[at] = wordsAt(at, issue.message);
  }
  return out;
}

/** A problem's words at its place: the editor's own for numbers and the rules, the schema's or API's otherwise. */
function wordsAt(at: ProblemAt, message: string): string {
  if (at === "rules") return RULES_PROBLEM;
  return NUMBER_FIELDS.includes(at as NumberField) ? numberProblem(at as NumberField) : message;
}

function placeOf(key: PropertyKey | undefined): ProblemAt {
  if (key === undefined || key === "(root)" || key === "") return "rules";
  return typeof key === "string" && key in FIELD_LABELS ? (key as RetentionField) : "form";
}

/** The API's refusal ("invalid body: timezone: not a known IANA time zone") placed at its field. */
export function problemsOfRefusal(message: string): FormProblems {
  const m = /^invalid body: ([^:\s]+): (.+)$/s.exec(message);
  if (!m) return { form: message };
  const at = placeOf(m[1]!.split(".")[0]);
  // At the root only the policy's own check is the rules' (an unknown key there is the form's).
  if (at === "form" || (at === "rules" && !m[2]!.startsWith("a policy keeps something"))) return { form: message };
  return { [at]: wordsAt(at, m[2]!) };
}

/** Whether the form says the same policy as the one saved (counts of 0 and empty alike; zone as typed). */
export function formSays(form: RetentionForm, policy: RetentionPolicy | null): boolean {
  const saved = formOf(policy);
  const norm = (f: RetentionForm) =>
    `${NUMBER_FIELDS.map((k) => String(Number(f[k].trim() || "0"))).join(",")}|${f.timezone.trim() || "UTC"}`;
  return norm(form) === norm(saved);
}

/** The Worker's verdicts as the decision's input: each backup with its instant in epoch milliseconds. */
export function backupsOf(state: Pick<RetentionState, "verdicts">): RetainedBackup[] {
  return state.verdicts.map((v) => ({ backupId: v.backupId, at: Date.parse(v.at) }));
}

/** The ids the decision never expires: the backup of the newest passing drill, as the Worker protects it. */
export function protectedIdsOf(state: Pick<RetentionState, "protectedBackupId">): Set<string> {
  return new Set(state.protectedBackupId ? [state.protectedBackupId] : []);
}

/** One reason in words: "the newest", "daily 2026-12-06", "restores in the latest drill", "no rule keeps it". */
export function reasonWords(reason: string, policy?: RetentionPolicy | null): string {
  switch (reason) {
    case "newest":
      return "the newest";
    case "protected":
      return "restores in the latest drill";
    case "future":
      return "completed after the decision's time";
    case "min-age":
      return policy?.minAgeDays ? `younger than ${days(policy.minAgeDays)}` : "younger than the minimum age";
    case "last":
      return policy?.keepLast ? `one of the last ${policy.keepLast}` : "one of the last kept";
    case "unkept":
      return "no rule keeps it";
    case NO_POLICY_REASON:
      return "no policy: every backup is kept";
  }
  const colon = reason.indexOf(":");
  const period = reason.slice(0, colon) as RetentionPeriod;
  const key = reason.slice(colon + 1);
  if (colon < 0 || !PERIODS.includes(period)) return reason;
  return period === "hourly" ? `hourly ${key.replace("T", " ")}:00` : `${period} ${key}`;
}

/** Every reason of a verdict in words, joined. */
export function reasonsWords(reasons: readonly string[], policy?: RetentionPolicy | null): string {
  return reasons.map((r) => reasonWords(r, policy)).join(", ");
}

const days = (n: number) => (n === 1 ? "1 day" : `${n.toLocaleString("en")} days`);

/** How many backups the verdicts keep and expire, and how many were deleted already. */
export interface PreviewCounts {
  kept: number;
  expiring: number;
  deleted: number;
}

/** The preview's counts. */
export function previewCounts(verdicts: readonly { keep: boolean }[], deleted = 0): PreviewCounts {
  const kept = verdicts.filter((v) => v.keep).length;
  return { kept, expiring: verdicts.length - kept, deleted };
}

/** The counts in a sentence: "14 backups are kept, 31 expire; 3 were deleted already". */
export function countsWords(c: PreviewCounts): string {
  if (c.kept + c.expiring === 0)
    return c.deleted > 0 ? `No backups left; ${deletedWords(c.deleted)}.` : "No completed backups to decide on yet.";
  const kept = c.kept === 1 ? "1 backup is kept" : `${c.kept} backups are kept`;
  const expiring = c.expiring === 0 ? "none expires" : `${c.expiring} expire${c.expiring === 1 ? "s" : ""}`;
  return `${kept}, ${expiring}${c.deleted > 0 ? `; ${deletedWords(c.deleted)}` : ""}.`;
}

const deletedWords = (n: number) => `${n} ${n === 1 ? "was" : "were"} deleted already`;

/** The Object Lock new objects get for a policy, in words (lockDaysFor: null when only keepLast keeps). */
export function lockWords(lockDays: number | null): string {
  return lockDays === null
    ? "no bound in time (only “keep the last” keeps backups): the runner's configured lock days apply"
    : `${days(lockDays)} for each new backup`;
}

/** Each field as a sentence names it. */
const FIELD_NAMES: Record<RetentionField, string> = {
  keepLast: "the “keep the last” count",
  hourly: "the hourly count",
  daily: "the daily count",
  weekly: "the weekly count",
  monthly: "the monthly count",
  yearly: "the yearly count",
  minAgeDays: "the minimum age",
  timezone: "the time zone",
};

/** Why the preview cannot be drawn for the form, in a sentence. */
export function previewBlocker(problems: FormProblems): string {
  const fields = (Object.keys(problems) as ProblemAt[]).filter((k): k is RetentionField => k in FIELD_NAMES);
  if (fields.length > 0) {
    const names = fields.map((f) => FIELD_NAMES[f]);
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
    return `No preview until ${list} ${names.length === 1 ? "is" : "are"} corrected.`;
  }
  return "No preview yet: turn on a rule (a count or a minimum age) to see what the policy keeps.";
}

// ---- The expiry projection (SPEC §12): how often backups come, and what the Expires column says ----

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Croner's names (the Worker parses crons with croner). */
const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** One cron field's values (`*`, `n`, `a-b`, `*\/s`, `a-b/s`, lists of them), or null for other syntax. */
function fieldValues(field: string, min: number, max: number): Set<number> | null {
  const out = new Set<number>();
  for (const item of field.split(",")) {
    const m = /^(?:(\*)|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) return null;
    const step = m[4] === undefined ? 1 : Number(m[4]);
    // A single value with a step ("5/15") is no syntax croner accepts.
    if (step < 1 || (m[2] !== undefined && m[3] === undefined && m[4] !== undefined)) return null;
    const from = m[1] ? min : Number(m[2]);
    const to = m[1] ? max : m[3] === undefined ? from : Number(m[3]);
    if (from < min || to > max || from > to) return null;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** The days 2001-01-01 … 2028-12-31: 28 years, 10,227 days, exactly 1,461 weeks (every weekday as often). */
const CYCLE_START = Date.UTC(2001, 0, 1);
const CYCLE_DAYS = 10_227;

/**
 * How often a five-field cron fires on average, in ms (the firings over a 28-year calendar cycle, so a
 * daily cron is exactly a day, a weekly one exactly a week, a weekdays one 1.4 days), as croner reads it:
 * numbers, `*`, ranges, steps, lists, month and day names, 7 for Sunday, `?` as `*`, the @ nicknames, and a
 * day matching either the day of the month or of the week when both are restricted. Null for what this
 * does not read (`L`, `W`, `#`, seconds or years) or a cron that never fires. The zone moves when it fires,
 * not how often (a day of 23 or 25 hours aside).
 */
export function cronIntervalMs(cron: string): number | null {
  const text = cron.trim().toLowerCase();
  const fields = (NICKNAMES[text] ?? text).replaceAll("?", "*").split(/\s+/);
  if (fields.length !== 5) return null;
  const named = (field: string, names: readonly string[], first: number) =>
    field.replace(/[a-z]{3}/g, (name) => (names.includes(name) ? String(names.indexOf(name) + first) : name));
  const minutes = fieldValues(fields[0]!, 0, 59);
  const hours = fieldValues(fields[1]!, 0, 23);
  const days = fieldValues(fields[2]!, 1, 31);
  const months = fieldValues(named(fields[3]!, MONTH_NAMES, 1), 1, 12);
  // As croner does, Sunday after a dash is 7 ("mon-sun"), elsewhere 0.
  const weekdays = fieldValues(named(fields[4]!.replaceAll("-sun", "-7"), DAY_NAMES, 0), 0, 7);
  if (!minutes || !hours || !days || !months || !weekdays) return null;
  if (weekdays.has(7)) weekdays.add(0);
  const anyDay = fields[2] === "*";
  const anyWeekday = fields[4] === "*";
  let firingDays = 0;
  for (let i = 0; i < CYCLE_DAYS; i++) {
    const date = new Date(CYCLE_START + i * DAY);
    if (!months.has(date.getUTCMonth() + 1)) continue;
    const onDay = days.has(date.getUTCDate());
    const onWeekday = weekdays.has(date.getUTCDay());
    if (anyWeekday ? onDay : anyDay ? onWeekday : onDay || onWeekday) firingDays++;
  }
  const firings = firingDays * hours.size * minutes.size;
  return firings === 0 ? null : Math.round((CYCLE_DAYS * DAY) / firings);
}

/** The cadence a projection assumes: one backup every `ms`, and where that comes from (null ms: no more backups). */
export type Cadence =
  | { ms: number; from: "schedule"; cron: string }
  | { ms: number; from: "backups" }
  | { ms: null; from: "no-schedule" };

/**
 * The cadence the database's schedules say: the shortest interval of the enabled ones (no enabled one: no
 * more backups), or "unreadable" when some are enabled but none has a cron `cronIntervalMs` reads.
 */
export function scheduleCadence(schedules: readonly { cron: string; enabled: boolean }[]): Cadence | "unreadable" {
  const enabled = schedules.filter((s) => s.enabled);
  if (enabled.length === 0) return { ms: null, from: "no-schedule" };
  let best: { ms: number; cron: string } | undefined;
  for (const s of enabled) {
    const ms = cronIntervalMs(s.cron);
    if (ms !== null && (best === undefined || ms < best.ms)) best = { ms, cron: s.cron };
  }
  return best ? { ...best, from: "schedule" } : "unreadable";
}

/**
 * The fallback when no enabled schedule's cron is readable: the median gap between the last backups'
 * completions (at least a minute, the cron tick's grain), or null with fewer than two backups.
 */
export function gapCadence(completedAts: readonly string[]): Cadence | null {
  const at = completedAts
    .map((t) => Date.parse(t))
    .filter(Number.isFinite)
    .sort((a, b) => b - a);
  const gaps = at
    .slice(1)
    .map((t, i) => at[i]! - t)
    .sort((a, b) => a - b);
  if (gaps.length === 0) return null;
  const mid = gaps.length >> 1;
  const median = gaps.length % 2 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
  return { ms: Math.max(MINUTE, Math.round(median)), from: "backups" };
}

const plural = (n: number, unit: string) => (n === 1 ? unit : `${n.toLocaleString("en")} ${unit}s`);

/** An interval in words: "day", "6 hours", "15 minutes", "week", else "33 h 36 min" (for "every …"). */
export function intervalWords(ms: number): string {
  for (const [unit, size] of [
    ["week", 7 * DAY],
    ["day", DAY],
    ["hour", HOUR],
  ] as const)
    if (ms >= size && ms % size === 0) return plural(ms / size, unit);
  return ms < 2 * HOUR && ms % MINUTE === 0 ? plural(ms / MINUTE, "minute") : formatDuration(ms);
}

/** A span in words for "not within …": "2 years", "83 days", "33 hours". */
export function spanWords(ms: number): string {
  if (ms >= 365 * DAY && ms % (365 * DAY) === 0) return plural(ms / (365 * DAY), "year");
  if (ms >= 2 * DAY) return plural(Math.floor(ms / DAY), "day");
  return ms >= 2 * HOUR ? plural(Math.floor(ms / HOUR), "hour") : plural(Math.floor(ms / MINUTE), "minute");
}

/** The line under the table: what the projection assumes. */
export function projectionNote(cadence: Cadence): string {
  const drill = "and no newer passing drill (one would let the backup of the latest drill go sooner)";
  switch (cadence.from) {
    case "schedule":
      return `Expires is a projection: it assumes a backup every ${intervalWords(cadence.ms)}, as the schedule says (${cadence.cron}), ${drill}.`;
    case "backups":
      return `Expires is a projection: it assumes a backup every ${intervalWords(cadence.ms)}, the median gap of the last backups (the dashboard cannot read the schedule's cron), ${drill}.`;
    case "no-schedule":
      return `Expires is a projection: it assumes no more backups (no schedule is enabled) ${drill}.`;
  }
}

/** Why there is no projection when the cadence cannot be told. */
export const NO_PROJECTION =
  "No expiry projection: the dashboard cannot read the schedule's cron, and there are too few backups to measure how often they come.";

/** One backup's projected expiry as the engine gives it to the table (ISO instants). */
export interface ExpiryView {
  /** Not kept now: it goes at the next prune. */
  next: boolean;
  /** The projected instant, or null when it is still kept at the horizon (and not `next`). */
  expiresAt: string | null;
  /** The decision's reasons at the last instant it is kept. */
  lastKeptBy: string[];
}

/** The projection over the table's backups. */
export interface ProjectionView {
  now: string;
  horizon: string;
  expiries: ReadonlyMap<string, ExpiryView>;
}

/** What the Expires column says: "at the next prune", "around" (then the date), "not within 2 years". */
export function expiryWords(e: ExpiryView, p: Pick<ProjectionView, "now" | "horizon">): string {
  if (e.next) return "at the next prune";
  if (e.expiresAt !== null) return "around";
  return `not within ${spanWords(Date.parse(p.horizon) - Date.parse(p.now))}`;
}
