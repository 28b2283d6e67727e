import { z } from "zod";
import { DsseEnvelopeSchema } from "../dsse/envelope.js";
import { AssertionSchema, MAX_ASSERTIONS } from "../drill/assertion.js";
import { DrillBackupChoiceSchema } from "../drill/backup-choice.js";
import { DRILL_TARGET_KINDS } from "../drill/predicate.js";
import { Id, Instant, Sha256Hex } from "../schema/common.js";
import { JobTriggerSchema } from "./jobs.js";
import { PageQuerySchema, pageOf } from "./page.js";
import { CronExpression, TimeZone } from "./resources.js";

/** PUT /v1/databases/:id/drill-policy (admin): when and how the database's backups are drilled. */
export const DrillPolicyRequestSchema = z.strictObject({
  /** Default weekly: Sundays at 04:00 in the time zone. */
  cron: CronExpression.default("0 4 * * 0"),
  timezone: TimeZone.default("UTC"),
  backup: DrillBackupChoiceSchema.default({ pick: "latest" }),
  target: z.enum(DRILL_TARGET_KINDS).default("local"),
  /** A drill whose RTO exceeds this fails; null: no target. */
  maxRtoSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .nullable()
    .default(null),
  assertions: z
    .array(AssertionSchema)
    .max(MAX_ASSERTIONS)
    .default([])
    .refine((a) => new Set(a.map((x) => x.name)).size === a.length, "assertion names must be unique"),
  enabled: z.boolean().default(true),
});
/** A drill policy as sent. */
export type DrillPolicyRequest = z.input<typeof DrillPolicyRequestSchema>;

/** A database's drill policy (GET/PUT /v1/databases/:id/drill-policy). */
export const DrillPolicySchema = z.strictObject({
  databaseId: Id,
  cron: CronExpression,
  timezone: TimeZone,
  backup: DrillBackupChoiceSchema,
  target: z.enum(DRILL_TARGET_KINDS),
  maxRtoSeconds: z.number().int().positive().nullable(),
  assertions: z.array(AssertionSchema).max(MAX_ASSERTIONS),
  enabled: z.boolean(),
  createdAt: Instant,
  updatedAt: Instant,
});
/** A drill policy. */
export type DrillPolicy = z.infer<typeof DrillPolicySchema>;

/** Where a drill is: waiting or running as a job, or concluded by a receipt (or by a failure without one). */
export const DRILL_STATUSES = ["queued", "running", "passed", "failed"] as const;
/** A drill's status. */
export const DrillStatusSchema = z.enum(DRILL_STATUSES);

/** One drill (GET /v1/drills, GET /v1/drills/:id). */
export const DrillSchema = z.strictObject({
  id: Id,
  jobId: Id,
  databaseId: Id,
  backupId: Id,
  trigger: JobTriggerSchema,
  slotAt: Instant,
  status: DrillStatusSchema,
  attempt: z.number().int().nonnegative(),
  runnerId: Id.nullable(),
  target: z.enum(DRILL_TARGET_KINDS),
  maxRtoSeconds: z.number().int().positive().nullable(),
  /** From the receipt, once there is one. */
  rtoMs: z.number().int().nonnegative().nullable(),
  tables: z.strictObject({ matched: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).nullable(),
  reason: z.string().nullable(),
  /** The signed receipt (SPEC §11), its SHA-256 and the runner key that signed it. */
  receipt: DsseEnvelopeSchema.nullable(),
  receiptSha256: Sha256Hex.nullable(),
  runnerVkey: z.string().nullable(),
  createdAt: Instant,
  finishedAt: Instant.nullable(),
});
/** A drill. */
export type Drill = z.infer<typeof DrillSchema>;
/** GET /v1/drills. */
export const DrillPageSchema = pageOf(DrillSchema);
/** GET /v1/drills?databaseId=&status=: a page of drills, newest first. */
export const ListDrillsQuerySchema = PageQuerySchema.extend({
  databaseId: Id.optional(),
  status: DrillStatusSchema.optional(),
});

/** POST /v1/databases/:id/drills (operator): drill now. Which backup: the policy's choice, or the one named. */
export const DrillNowRequestSchema = z.strictObject({ backupId: Id.optional() });

/**
 * How restorable a database is (GET /v1/databases/:id/restorability): `proven` if a drill passed within
 * two drill intervals, `at-risk` if the last pass is older (or only failures), `never-proven` with a
 * policy and no pass yet, `no-policy` without a policy.
 */
export const RESTORABILITY_STATES = ["proven", "at-risk", "never-proven", "no-policy"] as const;
/** A restorability verdict. */
export const RestorabilitySchema = z.strictObject({
  databaseId: Id,
  status: z.enum(RESTORABILITY_STATES),
  policy: DrillPolicySchema.nullable(),
  /** The policy's interval between drills (the longest gap between two of its slots), in seconds. */
  intervalSeconds: z.number().int().positive().nullable(),
  lastPass: DrillSchema.nullable(),
  lastDrill: DrillSchema.nullable(),
  nextDrillAt: Instant.nullable(),
});
/** A database's restorability. */
export type Restorability = z.infer<typeof RestorabilitySchema>;
