import { z } from "zod";
import { Id, singleLine, wellFormed } from "../schema/common.js";

// Requests the dashboard (and API tokens) send to manage an org, parsed so bad input is refused before
// anything is written. Their answers are in accounts.ts, databases.ts and auth.ts.

/** The roles, weakest first: viewer reads; operator also runs backups and issues restores; admin manages the org. */
export const ROLES = ["viewer", "operator", "admin"] as const;
/** A user's or token's role. */
export const RoleSchema = z.enum(ROLES);
/** A role. */
export type Role = z.infer<typeof RoleSchema>;
/** A name people read: 1–200 characters (surrounding spaces trimmed), one line of well-formed text. */
export const DisplayName = singleLine(z.string().trim().min(1).max(200));
/** An email address (lower-cased). */
export const Email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());
/** A password: at least 12 characters (NIST 800-63B asks ≥ 8; long passphrases are welcome), at most 1,024. */
export const Password = wellFormed(z.string().min(12, "use at least 12 characters").max(1024));
/** An IANA time zone that this runtime knows, e.g. Europe/Oslo or UTC. */
export const TimeZone = singleLine(z.string().min(1).max(64)).refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "not a known IANA time zone");

/** POST /v1/bootstrap: the first admin and their org; refused once any admin exists. */
export const BootstrapRequestSchema = z.strictObject({ orgName: DisplayName, email: Email, password: Password });
/** POST /v1/auth/login. */
export const LoginRequestSchema = z.strictObject({ email: Email, password: wellFormed(z.string().min(1).max(1024)) });
/** POST /v1/users (admin): add a user to the caller's org. */
export const CreateUserRequestSchema = z.strictObject({ email: Email, password: Password, role: RoleSchema });
/** PATCH /v1/users/:id (admin). */
export const UpdateUserRequestSchema = z.strictObject({ role: RoleSchema });
/** POST /v1/tokens (admin): a new org API token, shown once. */
export const CreateTokenRequestSchema = z.strictObject({ name: DisplayName, role: RoleSchema });
/** POST /v1/runners (admin): a new runner and its token, shown once. */
export const CreateRunnerRequestSchema = z.strictObject({ name: DisplayName });

/** Where a database is hosted: a hint for docs and defaults, never a credential. */
export const PROVIDERS = ["neon", "supabase", "rds", "cloudsql", "azure", "self-hosted", "other"] as const;
/** A provider hint. */
export const ProviderSchema = z.enum(PROVIDERS);
/** A provider hint. */
export type Provider = z.infer<typeof ProviderSchema>;
/** POST /v1/databases: a database to back up (the runner holds its connection string, never Walwarden). */
export const CreateDatabaseRequestSchema = z.strictObject({ name: DisplayName, provider: ProviderSchema });
/** PATCH /v1/databases/:id. */
export const UpdateDatabaseRequestSchema = CreateDatabaseRequestSchema.partial().refine(
  (v) => Object.keys(v).length > 0,
  "nothing to change",
);

/** A five-field cron expression (minute hour day-of-month month day-of-week); the Worker parses it. */
export const CronExpression = singleLine(z.string().trim().min(9).max(120));
/** POST /v1/schedules. Which backups are kept is the database's retention policy (retention.ts), not a schedule's. */
export const CreateScheduleRequestSchema = z.strictObject({
  databaseId: Id,
  cron: CronExpression,
  timezone: TimeZone.default("UTC"),
  targetRpoMinutes: z
    .number()
    .int()
    .min(5)
    .max(60 * 24 * 90),
  enabled: z.boolean().default(true),
});
/** PATCH /v1/schedules/:id. */
export const UpdateScheduleRequestSchema = z
  .strictObject({
    cron: CronExpression,
    timezone: TimeZone,
    targetRpoMinutes: CreateScheduleRequestSchema.shape.targetRpoMinutes,
    enabled: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
