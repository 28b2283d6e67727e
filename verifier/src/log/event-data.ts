import { z } from "zod";
import { ALERT_CONDITIONS, ALERT_SEVERITIES, CHANNEL_KINDS } from "../alert/conditions.js";
import { AssertionExpectSchema, MAX_ASSERTIONS } from "../drill/assertion.js";
import { DrillBackupChoiceSchema } from "../drill/backup-choice.js";
import { DRILL_TARGET_KINDS } from "../drill/predicate.js";
import { Id, Instant, Sha256Hex } from "../schema/common.js";
import { RetentionPolicyShape } from "../retention/policy.js";
import { BucketPostureSchema } from "../posture/posture.js";

const Reason = z.string().min(1).max(4000);
const Name = z.string().min(1).max(200);
const Role = z.enum(["viewer", "operator", "admin"]);
const UserRef = { userId: Id, email: z.string().min(3).max(320) };
const ScheduleValues = {
  scheduleId: Id,
  databaseId: Id,
  cron: z.string().min(1).max(200),
  timezone: z.string().min(1).max(64),
  targetRpoMinutes: z.number().int().positive(),
  /** Logged before retention policies (SPEC §12) replaced it: old entries carry it, new ones do not. */
  retentionDays: z.number().int().positive().optional(),
  enabled: z.boolean(),
};
const DatabaseValues = { databaseId: Id, name: Name, provider: z.string().min(1).max(64) };
const RestoreRef = { restoreId: Id, backupId: Id };
const Vkey = z.string().min(1).max(512);
const DrillRef = { jobId: Id, drillId: Id, databaseId: Id, backupId: Id };
const Subject = z.string().regex(/^[a-z]+:[A-Za-z0-9_.:+-]{1,256}$/, "subject is kind:id");
const IncidentRef = { incidentId: Id, condition: z.enum(ALERT_CONDITIONS), subject: Subject };
const ChannelValues = {
  channelId: Id,
  name: Name,
  kind: z.enum(CHANNEL_KINDS),
  /** The conditions it receives (empty: every one), the least severity, the repeat interval (null: never). */
  conditions: z.array(z.enum(ALERT_CONDITIONS)).max(ALERT_CONDITIONS.length),
  minSeverity: z.enum(ALERT_SEVERITIES),
  repeatMinutes: z.number().int().positive().nullable(),
  enabled: z.boolean(),
  /** SHA-256 of the target's JCS bytes (URL and secret, or addresses): which target, never the target itself. */
  targetSha256: Sha256Hex,
};

/**
 * The typed `data` of every event in the log, by event type (invariant 3, docs/architecture.md). Secrets never appear:
 * tokens and URLs only as their SHA-256. Adding a type is a format change: update SPEC.md §Log entries.
 */
export const EventData = {
  "backup.scheduled": z.strictObject({ jobId: Id, scheduleId: Id.nullable(), databaseId: Id, slot: Instant }),
  "backup.started": z.strictObject({ jobId: Id, databaseId: Id, runnerId: Id, attempt: z.number().int().min(1) }),
  "backup.completed": z.strictObject({
    jobId: Id,
    backupId: Id,
    databaseId: Id,
    runnerId: Id,
    artifact: z.strictObject({
      uri: z.string().min(1).max(2048),
      sha256: Sha256Hex,
      sizeBytes: z.number().int().nonnegative(),
    }),
    /** SHA-256 of the manifest envelope's JCS bytes: binds the log to the exact manifest. */
    manifestSha256: Sha256Hex,
  }),
  "backup.failed": z.strictObject({
    jobId: Id,
    databaseId: Id,
    runnerId: Id.nullable(),
    attempt: z.number().int().min(1),
    reason: Reason,
    willRetry: z.boolean(),
  }),
  "restore.token_issued": z.strictObject({
    ...RestoreRef,
    databaseId: Id,
    tokenSha256: Sha256Hex,
    expiresAt: Instant,
  }),
  "restore.claim_rejected": z.strictObject({
    restoreId: Id.nullable(),
    tokenSha256: Sha256Hex,
    reason: z.enum(["already-claimed", "expired", "wrong-org", "unknown-token", "cancelled"]),
  }),
  "restore.claimed": z.strictObject({ ...RestoreRef, clientVersion: z.string().min(1).max(64) }),
  "restore.downloading": z.strictObject({ ...RestoreRef }),
  "restore.verifying": z.strictObject({ ...RestoreRef, sha256: Sha256Hex.nullable() }),
  "restore.restoring": z.strictObject({ ...RestoreRef }),
  "restore.completed": z.strictObject({ ...RestoreRef, dryRun: z.boolean() }),
  "restore.failed": z.strictObject({ ...RestoreRef, stage: z.string().min(1).max(64), reason: Reason }),
  "restore.expired": z.strictObject({ ...RestoreRef }),
  /** An operator revoked an unclaimed token (actor: who); terminal, and a later claim is refused. */
  "restore.cancelled": z.strictObject({ ...RestoreRef }),
  "key.registered": z.strictObject({ purpose: z.enum(["checkpoint", "manifest"]), vkey: z.string().min(1).max(512) }),
  "key.rotated": z.strictObject({
    purpose: z.enum(["checkpoint", "manifest"]),
    previousVkey: z.string().min(1).max(512),
    vkey: z.string().min(1).max(512),
  }),
  "evidence.exported": z.strictObject({
    exportId: Id,
    from: Instant,
    to: Instant,
    startSeq: z.number().int().nonnegative(),
    endSeq: z.number().int().nonnegative(),
    indexSha256: Sha256Hex,
  }),
  // Admin actions (SPEC §7): who may do what, and what is backed up when.
  "user.created": z.strictObject({ ...UserRef, role: Role }),
  "user.role_changed": z.strictObject({ ...UserRef, previousRole: Role, role: Role }),
  "user.removed": z.strictObject({ ...UserRef, role: Role }),
  "token.created": z.strictObject({ tokenId: Id, name: Name, role: Role, tokenSha256: Sha256Hex }),
  "token.revoked": z.strictObject({ tokenId: Id, name: Name, role: Role }),
  "runner.registered": z.strictObject({ runnerId: Id, name: Name, tokenSha256: Sha256Hex }),
  "runner.revoked": z.strictObject({ runnerId: Id, name: Name }),
  "runner.key_registered": z.strictObject({ runnerId: Id, vkey: Vkey }),
  "runner.key_rotated": z.strictObject({ runnerId: Id, previousVkey: Vkey, vkey: Vkey }),
  "bucket.credential_set": z.strictObject({
    bucket: z.string().min(3).max(63),
    region: z.string().min(1).max(64),
    endpoint: z.string().min(1).max(2048).nullable(),
    accessKeyIdSha256: Sha256Hex,
    replaced: z.boolean(),
  }),
  "bucket.credential_removed": z.strictObject({ bucket: z.string().min(3).max(63) }),
  "database.created": z.strictObject(DatabaseValues),
  "database.updated": z.strictObject(DatabaseValues),
  "database.deleted": z.strictObject({ databaseId: Id, name: Name, schedulesRemoved: z.array(Id).max(1000) }),
  "schedule.created": z.strictObject(ScheduleValues),
  "schedule.updated": z.strictObject(ScheduleValues),
  "schedule.deleted": z.strictObject({ scheduleId: Id, databaseId: Id }),
  "drill.policy_set": z.strictObject({
    databaseId: Id,
    cron: z.string().min(1).max(200),
    timezone: z.string().min(1).max(64),
    backup: DrillBackupChoiceSchema,
    target: z.enum(DRILL_TARGET_KINDS),
    maxRtoSeconds: z.number().int().positive().nullable(),
    /** Each assertion's name, the SHA-256 of its SQL (the receipt carries the SQL) and its expectation. */
    assertions: z
      .array(z.strictObject({ name: z.string().min(1).max(100), sqlSha256: Sha256Hex, expect: AssertionExpectSchema }))
      .max(MAX_ASSERTIONS),
    enabled: z.boolean(),
  }),
  "drill.policy_removed": z.strictObject({ databaseId: Id }),
  // Drills (SPEC §11): queued by the cron tick or by an operator, concluded by a runner's signed receipt.
  "drill.scheduled": z.strictObject({ ...DrillRef, slot: Instant }),
  "drill.completed": z.strictObject({
    ...DrillRef,
    runnerId: Id,
    /** SHA-256 of the receipt envelope's JCS bytes, and the runner key it verified with. */
    receiptSha256: Sha256Hex,
    runnerVkey: Vkey,
    rtoMs: z.number().int().nonnegative(),
  }),
  "drill.failed": z.strictObject({
    ...DrillRef,
    runnerId: Id.nullable(),
    attempt: z.number().int().min(1),
    reason: Reason,
    willRetry: z.boolean(),
    /** Null when the drill never reached a verdict (a crash, a lost lease, an unreachable bucket). */
    receiptSha256: Sha256Hex.nullable(),
    runnerVkey: Vkey.nullable(),
  }),
  // Retention (SPEC §12): a database's policy, and each backup its runner deleted or had to keep.
  "retention.policy_set": z.strictObject({ databaseId: Id, policy: RetentionPolicyShape }),
  "retention.policy_removed": z.strictObject({ databaseId: Id }),
  "backup.expired": z.strictObject({
    backupId: Id,
    databaseId: Id,
    jobId: Id,
    runnerId: Id,
    objectKey: z.string().min(1).max(1024),
    versionId: z.string().min(1).max(1024).nullable(),
    artifactSha256: Sha256Hex,
    manifestSha256: Sha256Hex,
    /** The backup's `at` (its backup.completed entry's), and the decision's instant and policy. */
    completedAt: Instant,
    decidedAt: Instant,
    policy: RetentionPolicyShape,
    reason: z.literal("unkept"),
    /** Every key deleted: the artifact's and its kit's. */
    deletedKeys: z.array(z.string().min(1).max(1024)).min(1).max(64),
  }),
  "backup.expiry_blocked": z.strictObject({
    backupId: Id,
    databaseId: Id,
    jobId: Id,
    runnerId: Id,
    outcome: z.enum(["locked", "legal-hold", "mismatch", "foreign"]),
    retainUntil: Instant.nullable(),
  }),
  // Witnessing: a runner refused a checkpoint of its org's log (SPEC §13).
  "witness.refused": z.strictObject({
    runnerId: Id,
    size: z.string().regex(/^(0|[1-9][0-9]{0,18})$/),
    acceptedSize: z.string().regex(/^(0|[1-9][0-9]{0,18})$/),
    code: z.string().regex(/^[a-z][a-z-]{0,31}$/),
    message: z.string().min(1).max(500),
  }),
  "bucket.posture": z.strictObject({
    bucket: z.string().min(1).max(255),
    runnerId: Id,
    posture: BucketPostureSchema,
    worsening: z.array(z.string().min(1).max(300)).max(20),
  }),
  // Alerts: an incident is a condition holding for a subject, found by the cron tick (SPEC §7).
  "alert.opened": z.strictObject({ ...IncidentRef, severity: z.enum(ALERT_SEVERITIES), openedAt: Instant }),
  "alert.resolved": z.strictObject({ ...IncidentRef, openedAt: Instant, resolvedAt: Instant }),
  "alert.channel_created": z.strictObject(ChannelValues),
  "alert.channel_updated": z.strictObject(ChannelValues),
  "alert.channel_deleted": z.strictObject({ channelId: Id, name: Name, kind: z.enum(CHANNEL_KINDS) }),
  // External witnesses an admin configures (SPEC §13): the URL only as its SHA-256.
  "witness.added": z.strictObject({
    witnessId: Id,
    name: Name,
    vkey: Vkey,
    urlSha256: Sha256Hex,
    replaced: z.boolean(),
  }),
  "witness.removed": z.strictObject({ witnessId: Id, name: Name, vkey: Vkey }),
} as const;

/** The event types that change who may do what: `report.html` lists them as access changes. */
export const ACCESS_EVENT_TYPES = [
  "user.created",
  "user.role_changed",
  "user.removed",
  "token.created",
  "token.revoked",
  "runner.registered",
  "runner.revoked",
  "runner.key_registered",
  "runner.key_rotated",
  "bucket.credential_set",
  "bucket.credential_removed",
] as const;

/** The event types that change what is backed up when. */
export const CONFIG_EVENT_TYPES = [
  "database.created",
  "database.updated",
  "database.deleted",
  "schedule.created",
  "schedule.updated",
  "schedule.deleted",
  "drill.policy_set",
  "drill.policy_removed",
  "retention.policy_set",
  "retention.policy_removed",
  "alert.channel_created",
  "alert.channel_updated",
  "alert.channel_deleted",
  "witness.added",
  "witness.removed",
] as const;

/** Every event type the log may contain. */
export type EventType = keyof typeof EventData;
/** All event types, in SPEC order. */
export const EVENT_TYPES = Object.keys(EventData) as EventType[];
/** The data of one event type. */
export type EventDataOf<T extends EventType> = z.infer<(typeof EventData)[T]>;
