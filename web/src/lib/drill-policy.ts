// The drill policy editor's form (PUT /v1/databases/:id/drill-policy, the wire's DrillPolicyRequestSchema): the
// form as typed for a policy (a preset or custom cron as the schedule form offers, the zone, which backup, the
// target, the max RTO in a unit, the SQL assertions, enabled), the request it makes, where each problem is
// shown (a schema issue or the API's refusal at its field, an assertion's at its row), and whether the form
// says the saved policy. Pure, with types only from the verifier (the schema and the cron module run in
// drill-policy-engine.ts, in the verifier's chunk), so the database screen draws without zod.
import type { AssertionOp, DrillTargetKind } from "@walwarden/verifier";
import type { DrillPolicy } from "@walwarden/verifier/wire";
import { cronOf, presetOf, type ScheduleForm } from "./schedule.js";
import { issueWords } from "./settings.js";

/** The comparisons (the verifier's ASSERTION_OPS; a unit test holds them equal). */
export const OPS: readonly AssertionOp[] = ["eq", "ne", "lt", "le", "gt", "ge"];
/** Each comparison in the form. */
export const OP_WORDS: Record<AssertionOp, string> = {
  eq: "= equals",
  ne: "≠ differs from",
  lt: "< less than",
  le: "≤ at most",
  gt: "> more than",
  ge: "≥ at least",
};
/** The drill targets (the verifier's DRILL_TARGET_KINDS). */
export const TARGETS: readonly DrillTargetKind[] = ["local", "server"];
/** Most assertions a policy holds (the verifier's MAX_ASSERTIONS). */
export const MAX_ASSERTIONS = 20;
/** The schema's bounds: a random backup from the last 1 to 365 days; a max RTO of 1 s to 7 days. */
export const MAX_WITHIN_DAYS = 365;
export const MAX_RTO_SECONDS = 7 * 86_400;

/** The units a max RTO is typed in, and their seconds. */
export const RTO_UNITS = { seconds: 1, minutes: 60, hours: 3600 } as const;
/** A max RTO's unit. */
export type RtoUnit = keyof typeof RTO_UNITS;

/** What an assertion's expected value is: compared as a number, a boolean (t/f) or exact text. */
export type ValueKind = "number" | "boolean" | "text";
export const VALUE_KINDS: readonly ValueKind[] = ["number", "boolean", "text"];

/** One assertion as typed; `key` only tells the rows apart while they are added and removed. */
export interface AssertionForm {
  key: number;
  name: string;
  sql: string;
  op: AssertionOp;
  kind: ValueKind;
  /** The expected value as typed ("1000"; "true" or "false" for a boolean). */
  value: string;
}

/** The form's fields, as typed. */
export interface DrillPolicyForm extends Pick<ScheduleForm, "preset" | "hour" | "weekday" | "cron"> {
  /** The IANA zone (empty: UTC). */
  timezone: string;
  pick: "latest" | "random";
  /** The days a random backup is picked from. */
  withinDays: string;
  target: DrillTargetKind;
  /** Empty: no target. */
  maxRto: string;
  maxRtoUnit: RtoUnit;
  assertions: AssertionForm[];
  enabled: boolean;
}

/** An assertion's field. */
export type AssertionField = "name" | "sql" | "op" | "value";
/** Where a problem is shown: a field, the list of assertions, one assertion's field, or the form. */
export type DrillProblemAt =
  | "cron"
  | "timezone"
  | "withinDays"
  | "target"
  | "maxRto"
  | "enabled"
  | "assertions"
  | `assertions.${number}.${AssertionField}`
  | "form";
/** Problems by where they are shown. */
export type DrillProblems = Partial<Record<DrillProblemAt, string>>;

/** The body PUT sends, every field given (the schema's output: what the API stores). */
export interface DrillPolicyBody {
  cron: string;
  timezone: string;
  backup: { pick: "latest" } | { pick: "random"; withinDays: number };
  target: DrillTargetKind;
  maxRtoSeconds: number | null;
  assertions: { name: string; sql: string; expect: { op: AssertionOp; value: number | boolean | string } }[];
  enabled: boolean;
}

let nextKey = 1;
/** A new, empty assertion row: the value at least a number. */
export function newAssertion(): AssertionForm {
  return { key: nextKey++, name: "", sql: "", op: "ge", kind: "number", value: "" };
}

/** A max RTO in the largest unit it is a whole number of (null: empty, in minutes). */
export function rtoFieldsOf(seconds: number | null): Pick<DrillPolicyForm, "maxRto" | "maxRtoUnit"> {
  if (seconds === null) return { maxRto: "", maxRtoUnit: "minutes" };
  if (seconds % RTO_UNITS.hours === 0) return { maxRto: String(seconds / RTO_UNITS.hours), maxRtoUnit: "hours" };
  if (seconds % RTO_UNITS.minutes === 0) return { maxRto: String(seconds / RTO_UNITS.minutes), maxRtoUnit: "minutes" };
  return { maxRto: String(seconds), maxRtoUnit: "seconds" };
}

/** The form for a policy; null: a new one with the API's defaults (Sundays at 04:00 UTC, the latest backup, local, no RTO target, enabled). */
export function formOf(policy: Pick<DrillPolicy, keyof DrillPolicyBody> | null): DrillPolicyForm {
  const p = policy ?? {
    cron: "0 4 * * 0",
    timezone: "UTC",
    backup: { pick: "latest" as const },
    target: "local" as const,
    maxRtoSeconds: null,
    assertions: [],
    enabled: true,
  };
  return {
    ...presetOf(p.cron),
    timezone: p.timezone,
    pick: p.backup.pick,
    withinDays: p.backup.pick === "random" ? String(p.backup.withinDays) : "7",
    target: p.target,
    ...rtoFieldsOf(p.maxRtoSeconds),
    assertions: p.assertions.map((a) => ({
      key: nextKey++,
      name: a.name,
      sql: a.sql,
      op: a.expect.op,
      kind: typeof a.expect.value === "number" ? "number" : typeof a.expect.value === "boolean" ? "boolean" : "text",
      value: String(a.expect.value),
    })),
    enabled: p.enabled,
  };
}

const WITHIN_PROBLEM = `whole days from 1 to ${MAX_WITHIN_DAYS}`;
const RTO_PROBLEM = "a whole number, at most 7 days in all (empty: no target)";
const VALUE_PROBLEM = "a number, e.g. 1000, -3 or 0.5";
/** A number as an expected value may be typed: a decimal, optionally signed, with an exponent. */
const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The body the form says (the cron its preset's, an empty zone UTC, the max RTO in seconds, each
 * assertion's value as its kind), and the problems of text that is no number where one is wanted; the
 * schema judges the rest (ranges, the zone, names, SQL, comparisons) and the cron module the cron.
 */
export function requestOf(form: DrillPolicyForm): { body: DrillPolicyBody; problems: DrillProblems } {
  const problems: DrillProblems = {};
  const within = form.withinDays.trim();
  let withinDays = Number.NaN;
  if (form.pick === "random") {
    if (/^\d{1,4}$/.test(within)) withinDays = Number(within);
    else problems.withinDays = WITHIN_PROBLEM;
  }
  const rto = form.maxRto.trim();
  let maxRtoSeconds: number | null = null;
  if (rto !== "") {
    if (/^\d{1,7}$/.test(rto)) maxRtoSeconds = Number(rto) * RTO_UNITS[form.maxRtoUnit];
    else {
      maxRtoSeconds = Number.NaN;
      problems.maxRto = RTO_PROBLEM;
    }
  }
  const assertions = form.assertions.map((a, i) => {
    let value: number | boolean | string = a.value;
    if (a.kind === "boolean") value = a.value === "true";
    else if (a.kind === "number") {
      const t = a.value.trim();
      value = NUMBER_TEXT.test(t) ? Number(t) : Number.NaN;
      if (!Number.isFinite(value)) problems[`assertions.${i}.value`] = VALUE_PROBLEM;
    }
    return { name: a.name, sql: a.sql, expect: { op: a.op, value } };
  });
  return {
    body: {
      cron: cronOf(form),
      timezone: form.timezone.trim() || "UTC",
      backup: form.pick === "latest" ? { pick: "latest" } : { pick: "random", withinDays },
      target: form.target,
      maxRtoSeconds,
      assertions,
      enabled: form.enabled,
    },
    problems,
  };
}

/** Where a body's path is shown (numbers or their text for an assertion's index, as the API writes them). */
export function placeOf(path: readonly PropertyKey[]): DrillProblemAt {
  const [top, index, field, sub] = path;
  switch (top) {
    case "cron":
    case "timezone":
    case "target":
    case "enabled":
      return top;
    case "backup":
      return "withinDays";
    case "maxRtoSeconds":
      return "maxRto";
    case "assertions": {
      const i =
        typeof index === "number" ? index : typeof index === "string" && /^\d+$/.test(index) ? Number(index) : -1;
      if (i < 0 || field === undefined) return "assertions";
      if (field === "name" || field === "sql") return `assertions.${i}.${field}`;
      if (field === "expect") return `assertions.${i}.${sub === "op" ? "op" : "value"}`;
      return "assertions";
    }
    default:
      return "form";
  }
}

/** A problem's words at its place: the form's own for its numbers and a short cron, the schema's or the API's otherwise. */
function wordsAt(at: DrillProblemAt, issue: { code?: string; message: string }): string {
  if (at === "withinDays") return WITHIN_PROBLEM;
  if (at === "maxRto") return RTO_PROBLEM;
  if (at === "cron") {
    if (issue.code === "too_small" || /too small|>=/i.test(issue.message))
      return "a five-field cron: minute hour day-of-month month day-of-week, e.g. 0 4 * * 0";
    if (issue.code === "too_big" || /too big|<=/i.test(issue.message)) return "a cron of at most 120 characters";
    return issue.message;
  }
  if (at === "assertions" && /max|too big|<=/i.test(issue.message)) return `At most ${MAX_ASSERTIONS} assertions.`;
  if (/\.value$/.test(at) && /number/i.test(issue.message) && !/or eq/.test(issue.message)) return VALUE_PROBLEM;
  return issueWords({ ...issue, path: [] });
}

/** Schema issues (zod's `code`, `path`, `message`) placed at their fields: the first issue of each place wins. */
export function problemsOfIssues(
  issues: readonly {
    code?: string;
    path: readonly PropertyKey[];
    message: string;
    minimum?: number | bigint;
    maximum?: number | bigint;
  }[],
): DrillProblems {
  const out: DrillProblems = {};
  for (const issue of issues) {
    const at = placeOf(issue.path);
    if (out[at] === undefined) out[at] = wordsAt(at, issue);
  }
  return out;
}

/** The API's refusal ("invalid body: cron: cron "61 * * * *": …", "invalid body: assertions.0.sql: …") at its field. */
export function problemsOfRefusal(message: string): DrillProblems {
  const m = /^invalid body: ([^:\s]+): (.+)$/s.exec(message);
  if (!m) return { form: message };
  const at = placeOf(m[1]!.split("."));
  return at === "form" ? { form: message } : { [at]: wordsAt(at, { message: m[2]! }) };
}

/** Whether the form says the policy as saved (null: a new one is always a change). */
export function formSays(form: DrillPolicyForm, policy: Pick<DrillPolicy, keyof DrillPolicyBody> | null): boolean {
  if (!policy) return false;
  const { body, problems } = requestOf(form);
  if (Object.keys(problems).length > 0) return false;
  const trimmed = body.assertions.map((a) => ({ ...a, name: a.name.trim(), sql: a.sql.trim() }));
  const saved: DrillPolicyBody = {
    cron: policy.cron,
    timezone: policy.timezone,
    backup: policy.backup,
    target: policy.target,
    maxRtoSeconds: policy.maxRtoSeconds,
    assertions: policy.assertions,
    enabled: policy.enabled,
  };
  return JSON.stringify({ ...body, assertions: trimmed }) === JSON.stringify(saved);
}

/** The fields in the order they are shown: the first with a problem gets the focus on a refused Save. */
export function problemOrder(form: Pick<DrillPolicyForm, "assertions">): DrillProblemAt[] {
  return [
    "cron",
    "timezone",
    "withinDays",
    "target",
    "maxRto",
    "assertions",
    ...form.assertions.flatMap((_, i) =>
      (["name", "sql", "op", "value"] as const).map((f) => `assertions.${i}.${f}` as const),
    ),
    "enabled",
  ];
}
