import { z } from "zod";
import { Id, Instant, Sha256Hex } from "../schema/common.js";
import { keepsSomething, RetentionPolicyShape } from "../retention/policy.js";
import { TimeZone } from "./resources.js";

/** PUT /v1/databases/:id/retention-policy (admin): the policy, in a zone this runtime knows, turning on a rule. */
export const RetentionPolicyRequestSchema = RetentionPolicyShape.extend({ timezone: TimeZone.default("UTC") }).refine(
  keepsSomething,
  { message: "a policy keeps something: set keepLast, a period count or minAgeDays (no policy keeps everything)" },
);
/** A policy as sent. */
export type RetentionPolicyRequest = z.infer<typeof RetentionPolicyRequestSchema>;

/** GET|PUT /v1/databases/:id/retention-policy: the policy, how long new objects are locked for it, when set. */
export const RetentionPolicyResponseSchema = z.strictObject({
  databaseId: Id,
  policy: RetentionPolicyShape,
  /** lockDaysFor(policy): the Object Lock days the runner gives new objects (null: keepLast only, unbounded). */
  lockDays: z.number().int().positive().nullable(),
  updatedAt: Instant,
});

/** One backup's fate under the policy now, as GET /v1/databases/:id/retention shows it. */
export const RetentionVerdictSchema = z.strictObject({
  backupId: Id,
  /** Its backup.completed entry's instant. */
  at: Instant,
  keep: z.boolean(),
  reasons: z.array(z.string().min(1).max(64)).min(1),
});

/**
 * GET /v1/databases/:id/retention: the Worker's decision now (the same function the dashboard and an
 * auditor run), over the completed backups not yet expired, newest first; and those already expired.
 */
export const RetentionStateSchema = z.strictObject({
  databaseId: Id,
  policy: RetentionPolicyShape.nullable(),
  decidedAt: Instant,
  /** The backup of the newest passing drill, which the decision never expires. */
  protectedBackupId: Id.nullable(),
  verdicts: z.array(RetentionVerdictSchema),
  expired: z.array(z.strictObject({ backupId: Id, expiredAt: Instant })),
});

/** One backup a prune job is to delete, as its signed manifest names the artifact. */
export const PruneTargetSchema = z.strictObject({
  backupId: Id,
  completedAt: Instant,
  artifact: z.strictObject({
    bucket: z.string().min(1).max(255),
    key: z.string().min(1).max(1024),
    versionId: z.string().min(1).max(1024).nullable(),
    etag: z.string().min(1).max(200),
    sha256: Sha256Hex,
  }),
  manifestSha256: Sha256Hex,
  reason: z.literal("unkept"),
});
/** A backup to delete. */
export type PruneTarget = z.infer<typeof PruneTargetSchema>;
/** Most backups one prune job deletes. */
export const MAX_PRUNE_TARGETS = 100;

/** What the runner did with one target (SPEC §12). */
export const PRUNE_OUTCOMES = ["deleted", "locked", "legal-hold", "missing", "mismatch", "foreign"] as const;
/** An outcome. */
export type PruneOutcome = (typeof PRUNE_OUTCOMES)[number];

/** POST /v1/runner/jobs/:jobId/prune: every target's outcome, once; completes the job. */
export const PruneReportRequestSchema = z.strictObject({
  leaseId: Id,
  results: z
    .array(
      z.strictObject({
        backupId: Id,
        outcome: z.enum(PRUNE_OUTCOMES),
        /** For `locked`: until when. */
        retainUntil: Instant.nullable(),
        /** For `deleted`: every key deleted (the artifact's first); empty otherwise. */
        deletedKeys: z.array(z.string().min(1).max(1024)).max(64),
      }),
    )
    .max(MAX_PRUNE_TARGETS),
});
/** A prune's report. */
export type PruneReportRequest = z.infer<typeof PruneReportRequestSchema>;
/** Answer to a prune report: how many backup.expired and backup.expiry_blocked entries it logged. */
export const PruneReportResponseSchema = z.strictObject({ expired: z.number().int(), blocked: z.number().int() });
