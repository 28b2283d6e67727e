// The onboarding forms checked with the API's own wire schemas, in the verifier's chunk (loaded on first use,
// so sign-in draws without zod): first run (BootstrapRequestSchema), a runner (CreateRunnerRequestSchema), a
// database and its schedule (CreateDatabaseRequestSchema, CreateScheduleRequestSchema). Each problem is
// placed at its field; what passes is the exact body to send.
import {
  BootstrapRequestSchema,
  CreateDatabaseRequestSchema,
  CreateRunnerRequestSchema,
  CreateScheduleRequestSchema,
} from "@walwarden/verifier/wire";
import {
  type DatabaseField,
  type DatabaseForm,
  type Problems,
  problemsAt,
  type SetupField,
  type SetupForm,
} from "./onboarding.js";

/** A form's outcome: the body to send, or its problems at their fields. */
export type Checked<T, F extends string> = { ok: true; body: T } | { ok: false; problems: Problems<F> };

const SETUP_FIELDS = ["orgName", "email", "password", "repeat"] as const;

/** The first-run form as POST /v1/bootstrap checks it, and the repeated password. */
export function checkSetup(f: SetupForm): Checked<{ orgName: string; email: string; password: string }, SetupField> {
  const body = { orgName: f.orgName, email: f.email.trim(), password: f.password };
  const parsed = BootstrapRequestSchema.safeParse(body);
  const problems: Problems<SetupField> = parsed.success ? {} : problemsAt(parsed.error.issues, SETUP_FIELDS);
  if (!problems.password && f.repeat !== f.password)
    problems.repeat = "the two passwords differ: type the same one twice";
  return Object.keys(problems).length === 0 ? { ok: true, body } : { ok: false, problems };
}

/** A runner's name as POST /v1/runners checks it. */
export function checkRunnerName(name: string): Checked<{ name: string }, "name" | "form"> {
  const body = { name };
  const parsed = CreateRunnerRequestSchema.safeParse(body);
  return parsed.success ? { ok: true, body } : { ok: false, problems: problemsAt(parsed.error.issues, ["name"]) };
}

const DATABASE_FIELDS = ["name", "provider", "schedule", "timezone", "targetRpoMinutes"] as const;

/**
 * A database and its schedule, checked as POST /v1/databases and POST /v1/schedules check them (the
 * schedule's database id is the one the first answer gives: a stand-in here). `withDatabase` false checks
 * the schedule only (the database exists already).
 */
export function checkDatabase(
  f: DatabaseForm,
  withDatabase = true,
): Checked<
  {
    database: { name: string; provider: DatabaseForm["provider"] };
    schedule: { cron: string; timezone: string; targetRpoMinutes: number; enabled: boolean };
  },
  DatabaseField
> {
  const database = { name: f.name, provider: f.provider };
  const rpoText = f.targetRpoMinutes.trim();
  const schedule = {
    cron: f.schedule.cron,
    timezone: f.timezone.trim() || "UTC",
    targetRpoMinutes: /^\d{1,9}$/.test(rpoText) ? Number(rpoText) : Number.NaN,
    enabled: true,
  };
  const problems: Problems<DatabaseField> = {};
  if (withDatabase) {
    const d = CreateDatabaseRequestSchema.safeParse(database);
    if (!d.success) Object.assign(problems, problemsAt(d.error.issues, DATABASE_FIELDS));
  }
  const s = CreateScheduleRequestSchema.safeParse({ databaseId: "db_check", ...schedule });
  if (!s.success) {
    const at = problemsAt(s.error.issues, DATABASE_FIELDS, { cron: "schedule" });
    for (const [k, v] of Object.entries(at)) problems[k as DatabaseField] ??= v;
  }
  if (Number.isNaN(schedule.targetRpoMinutes)) problems.targetRpoMinutes = "a whole number of minutes, e.g. 1560";
  return Object.keys(problems).length === 0 ? { ok: true, body: { database, schedule } } : { ok: false, problems };
}
