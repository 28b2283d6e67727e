import {
  ALERT_CONDITIONS,
  ALERT_SEVERITIES,
  type BucketPosture,
  type AlertCondition,
  CHANNEL_KINDS,
  NOTICE_KINDS,
  type Assertion,
  DRILL_TARGET_KINDS,
  type DrillBackupChoice,
  JOB_KINDS,
  JOB_STATES,
  RESTORE_STATES,
  type RetentionPolicy,
} from "@walwarden/verifier";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import {
  BACKUP_PHASES,
  DRILL_PHASES,
  DRILL_STATUSES,
  JOB_TRIGGERS,
  PROVIDERS,
  PRUNE_OUTCOMES,
  PRUNE_PHASES,
  type PruneTarget,
  ROLES,
} from "@walwarden/verifier/wire";

// D1 metadata, described record by record (with what is secret and how it is kept) in worker/STORAGE.md.
// Times are epoch milliseconds. Every tenant table carries org_id and every query filters on it.

/** A tenant. Every other row belongs to exactly one org. */
export const orgs = sqliteTable("orgs", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
});

/** A dashboard user: email + PBKDF2 password hash, one role in one org. */
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("users_email").on(t.email), index("users_org").on(t.orgId, t.id)],
);

/** A dashboard session: only the SHA-256 of the cookie value is kept. */
export const sessions = sqliteTable(
  "sessions",
  {
    tokenSha256: text("token_sha256").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("sessions_user").on(t.userId)],
);

/** An org API token (for scripts and the CLI's admin calls): shown once, only its SHA-256 kept. */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    tokenSha256: text("token_sha256").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_tokens_hash").on(t.tokenSha256), index("api_tokens_org").on(t.orgId, t.id)],
);

/** A runner (one deployment in a customer's network): its token is shown once, only its SHA-256 kept. */
export const runners = sqliteTable(
  "runners",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    tokenSha256: text("token_sha256").notNull(),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at"),
    version: text("version"),
    revokedAt: integer("revoked_at"),
    /** The runner's own Ed25519 key as a vkey named `<deployment>/runner/<id>` (SPEC §11); null until registered. */
    vkey: text("vkey"),
    keyRegisteredAt: integer("key_registered_at"),
  },
  (t) => [uniqueIndex("runners_hash").on(t.tokenSha256), index("runners_org").on(t.orgId, t.id)],
);

/** A database to back up: a name and a provider hint. Never a connection string: that lives in the runner. */
export const databases = sqliteTable(
  "databases",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    provider: text("provider", { enum: PROVIDERS }).notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deletedAt: integer("deleted_at"),
  },
  (t) => [index("databases_org").on(t.orgId, t.id)],
);

/** When to back a database up: a cron expression in a time zone, with an RPO target (retention is the database's policy). */
export const schedules = sqliteTable(
  "schedules",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    databaseId: text("database_id")
      .notNull()
      .references(() => databases.id),
    cron: text("cron").notNull(),
    timezone: text("timezone").notNull(),
    targetRpoMinutes: integer("target_rpo_minutes").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    nextRunAt: integer("next_run_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("schedules_due").on(t.enabled, t.nextRunAt),
    index("schedules_org").on(t.orgId, t.id),
    index("schedules_db").on(t.databaseId),
  ],
);

/**
 * One backup or restore drill, tried up to maxAttempts times. The id is deterministic for scheduled jobs
 * (schedule or drill policy + slot), so a cron tick that runs twice inserts nothing new. Its status follows
 * the verifier's job state machine (verifier/src/jobs/job-state.ts), enforced in worker/src/jobs/job-machine.ts
 * for every kind. backupId: the backup a backup job makes, or the one a drill job restores.
 */
export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    databaseId: text("database_id").notNull(),
    scheduleId: text("schedule_id"),
    slotAt: integer("slot_at").notNull(),
    trigger: text("trigger", { enum: JOB_TRIGGERS }).notNull(),
    kind: text("kind", { enum: JOB_KINDS }).notNull().default("backup"),
    status: text("status", { enum: JOB_STATES }).notNull(),
    attempt: integer("attempt").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull(),
    leaseId: text("lease_id"),
    leaseExpiresAt: integer("lease_expires_at"),
    runnerId: text("runner_id"),
    progressPhase: text("progress_phase", { enum: [...BACKUP_PHASES, ...DRILL_PHASES, ...PRUNE_PHASES] }),
    progressBytes: integer("progress_bytes"),
    heartbeatAt: integer("heartbeat_at"),
    backupId: text("backup_id").notNull(),
    /** A drill job's drill (drills.id); null for a backup. */
    drillId: text("drill_id"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
  },
  (t) => [
    index("jobs_claim").on(t.orgId, t.status, t.createdAt),
    index("jobs_lease").on(t.status, t.leaseExpiresAt),
    index("jobs_db").on(t.orgId, t.databaseId, t.id),
    // The alerts' missed-backup check reads each schedule's latest slot.
    index("jobs_schedule_slot").on(t.scheduleId, t.slotAt),
    // Retention: a database's waiting prune, and the drills about to restore its backups.
    index("jobs_db_kind").on(t.databaseId, t.kind, t.status),
  ],
);

/**
 * A job's recorded completion (one per job, for good): written with the move to `completing`, in the
 * same D1 transaction, before anything is appended to the log. It fixes what the retries of that
 * complete answer: the lease it is bound to, the SHA-256 of the request body (another body is refused),
 * the signed envelope and the log event with its idempotency key. Whoever finishes the completion
 * (the runner's retry, or the cron tick for a runner that went away) appends that event, gets the same
 * entry back, and writes the job's and the backup's rows. STORAGE.md describes it.
 */
export const jobCompletions = sqliteTable(
  "job_completions",
  {
    jobId: text("job_id").primaryKey(),
    orgId: text("org_id").notNull(),
    kind: text("kind", { enum: JOB_KINDS }).notNull(),
    leaseId: text("lease_id").notNull(),
    attempt: integer("attempt").notNull(),
    runnerId: text("runner_id").notNull(),
    requestSha256: text("request_sha256").notNull(),
    /** The signed DSSE envelope, JCS text: every answer carries these bytes. */
    envelope: text("envelope").notNull(),
    logKey: text("log_key").notNull(),
    /** The log event (type, actor, subject, data) as JSON, appended under logKey. */
    event: text("event").notNull(),
    startedAt: integer("started_at").notNull(),
    completedAt: integer("completed_at").notNull(),
    logSeq: integer("log_seq"),
    createdAt: integer("created_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  // No index of its own: unfinished completions are found through jobs (status 'completing', by lease expiry).
);

/** A completed backup: where it is, its digest, and the signed manifest that the log commits to. */
export const backups = sqliteTable(
  "backups",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    databaseId: text("database_id").notNull(),
    jobId: text("job_id").notNull(),
    runnerId: text("runner_id").notNull(),
    artifactUri: text("artifact_uri").notNull(),
    sha256: text("sha256").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    manifestSha256: text("manifest_sha256").notNull(),
    envelope: text("envelope").notNull(),
    logSeq: integer("log_seq").notNull(),
    startedAt: integer("started_at").notNull(),
    completedAt: integer("completed_at").notNull(),
    durationMs: integer("duration_ms").notNull(),
    /** When the Worker accepted its runner's report that the objects were deleted (SPEC §12); the row stays. */
    expiredAt: integer("expired_at"),
    /** The prune job whose report expired it. */
    expiredJobId: text("expired_job_id"),
    /** The last outcome a prune reported without deleting it: `missing` is never asked again. */
    pruneOutcome: text("prune_outcome", { enum: PRUNE_OUTCOMES }),
    /** A blocked backup is no prune's target again before this. */
    pruneRetryAt: integer("prune_retry_at"),
  },
  (t) => [index("backups_db").on(t.orgId, t.databaseId, t.completedAt), index("backups_org").on(t.orgId, t.id)],
);

/**
 * A database's restore-drill policy (one per database, SPEC §11): when drills are queued (cron in a time
 * zone, next_run_at for the cron tick), which backup they restore, where, the maximum RTO and the SQL
 * assertions. Removed with its database; its drills stay.
 */
export const drillPolicies = sqliteTable(
  "drill_policies",
  {
    databaseId: text("database_id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    cron: text("cron").notNull(),
    timezone: text("timezone").notNull(),
    /** JSON: the wire's DrillBackupChoice. */
    backup: text("backup", { mode: "json" }).$type<DrillBackupChoice>().notNull(),
    target: text("target", { enum: DRILL_TARGET_KINDS }).notNull(),
    maxRtoSeconds: integer("max_rto_seconds"),
    /** JSON: the wire's Assertion[]. */
    assertions: text("assertions", { mode: "json" }).$type<Assertion[]>().notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    nextRunAt: integer("next_run_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("drill_policies_due").on(t.enabled, t.nextRunAt)],
);

/**
 * One restore drill of one backup, and its outcome: the job that runs it (its status follows the job's),
 * the settings it was queued with, and once a runner's signed receipt concluded it, the receipt (JCS text),
 * its SHA-256 and the runner key it verified with. Never deleted: drills are evidence.
 */
export const drills = sqliteTable(
  "drills",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    databaseId: text("database_id").notNull(),
    jobId: text("job_id").notNull(),
    backupId: text("backup_id").notNull(),
    trigger: text("trigger", { enum: JOB_TRIGGERS }).notNull(),
    slotAt: integer("slot_at").notNull(),
    target: text("target", { enum: DRILL_TARGET_KINDS }).notNull(),
    maxRtoSeconds: integer("max_rto_seconds"),
    /** JSON: the policy's Assertion[] when the drill was queued. */
    assertions: text("assertions", { mode: "json" }).$type<Assertion[]>().notNull(),
    status: text("status", { enum: DRILL_STATUSES }).notNull(),
    attempt: integer("attempt").notNull().default(0),
    runnerId: text("runner_id"),
    rtoMs: integer("rto_ms"),
    tablesMatched: integer("tables_matched"),
    tablesTotal: integer("tables_total"),
    reason: text("reason"),
    /** The runner's signed receipt (DSSE envelope), JCS text. */
    receipt: text("receipt"),
    receiptSha256: text("receipt_sha256"),
    runnerVkey: text("runner_vkey"),
    createdAt: integer("created_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (t) => [
    uniqueIndex("drills_job").on(t.jobId),
    index("drills_org").on(t.orgId, t.id),
    index("drills_db").on(t.orgId, t.databaseId, t.id),
  ],
);

/**
 * A database's retention policy (one per database, SPEC §12), normalised, and when the cron tick decides
 * it next. `updated_at` only grows: a prune is queued only while the policy it was decided with is stored.
 * Removed with its database.
 */
export const retentionPolicies = sqliteTable(
  "retention_policies",
  {
    databaseId: text("database_id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    /** JSON: the normalised RetentionPolicy. */
    policy: text("policy", { mode: "json" }).$type<RetentionPolicy>().notNull(),
    /** The tick decides this database at or after this instant (0: at the next tick). */
    decideAfter: integer("decide_after").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("retention_policies_due").on(t.decideAfter)],
);

/**
 * A prune job's decision (SPEC §12): when, under which policy, and the backups to delete as their manifests
 * name them; once its runner reported, that report's digest and what it logged, so the same report again
 * answers the same and another one is refused.
 */
export const pruneJobs = sqliteTable("prune_jobs", {
  jobId: text("job_id").primaryKey(),
  orgId: text("org_id")
    .notNull()
    .references(() => orgs.id),
  databaseId: text("database_id").notNull(),
  decidedAt: integer("decided_at").notNull(),
  /** JSON: the RetentionPolicy decided with. */
  policy: text("policy", { mode: "json" }).$type<RetentionPolicy>().notNull(),
  /** JSON: the wire's PruneTarget[] (1–100). */
  targets: text("targets", { mode: "json" }).$type<PruneTarget[]>().notNull(),
  createdAt: integer("created_at").notNull(),
  /** The report: under which lease, the SHA-256 of its JCS bytes, the counts answered, when. */
  leaseId: text("lease_id"),
  reportSha256: text("report_sha256"),
  expiredCount: integer("expired_count"),
  blockedCount: integer("blocked_count"),
  reportedAt: integer("reported_at"),
});

/**
 * One bucket's posture as last logged (SPEC §12, bucket posture): the posture, the reference it is compared
 * with and what is worse than it (`bucket.at_risk` holds while that is not empty), who reported it, when it
 * was logged and when a report last came. Keyed by org and bucket name: runners sharing a bucket share it.
 */
export const bucketPostures = sqliteTable(
  "bucket_postures",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    bucket: text("bucket").notNull(),
    runnerId: text("runner_id").notNull(),
    /** JSON: the BucketPosture last logged, and the reference (the last that was not worse). */
    posture: text("posture", { mode: "json" }).$type<BucketPosture>().notNull(),
    reference: text("reference", { mode: "json" }).$type<BucketPosture>().notNull(),
    /** JSON: string[], postureWorsening(reference, posture, keepDays). */
    worsening: text("worsening", { mode: "json" }).$type<string[]>().notNull(),
    changedAt: integer("changed_at").notNull(),
    reportedAt: integer("reported_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.bucket] })],
);

/** The queryable copy of each org's log (the Ledger Durable Object is the original). bytes = JCS text. */
export const logEntries = sqliteTable(
  "log_entries",
  {
    orgId: text("org_id").notNull(),
    seq: integer("seq").notNull(),
    type: text("type").notNull(),
    at: integer("at").notNull(),
    actor: text("actor").notNull(),
    subject: text("subject").notNull(),
    entry: text("entry").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.seq] }),
    index("log_entries_type").on(t.orgId, t.type, t.seq),
    index("log_entries_subject").on(t.orgId, t.subject, t.seq),
    // Evidence exports map a period to a seq window: `at` never decreases along the log.
    index("log_entries_at").on(t.orgId, t.at, t.seq),
    // The alerts' event conditions: the cron tick reads the last hour's key rotations and restores, all orgs.
    index("log_entries_type_at").on(t.type, t.at),
  ],
);

/**
 * Log events not yet in the Ledger (a transactional outbox): written in the same D1 batch as the state
 * change they record, appended to the org's log by flushOutbox (idempotently, by key), then deleted. So
 * a state change and its log event are never separated by a crash.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: text("org_id").notNull(),
    key: text("key").notNull(),
    type: text("type").notNull(),
    actor: text("actor").notNull(),
    subject: text("subject").notNull(),
    data: text("data").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("outbox_key").on(t.key), index("outbox_org").on(t.orgId, t.id)],
);

/**
 * A restore: issued by an operator, claimed once by the CLI with its one-time token (only the token's
 * SHA-256 is kept). The RestoreSession Durable Object is the original of its state and history; this row
 * is the queryable copy (lists, claim lookup by token hash).
 */
export const restores = sqliteTable(
  "restores",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    backupId: text("backup_id").notNull(),
    databaseId: text("database_id").notNull(),
    tokenSha256: text("token_sha256").notNull(),
    state: text("state", { enum: RESTORE_STATES }).notNull(),
    issuedBy: text("issued_by").notNull(),
    issuedAt: integer("issued_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    claimedAt: integer("claimed_at"),
    finishedAt: integer("finished_at"),
    dryRun: integer("dry_run", { mode: "boolean" }),
    failureStage: text("failure_stage"),
    failureReason: text("failure_reason"),
  },
  (t) => [
    uniqueIndex("restores_token").on(t.tokenSha256),
    index("restores_org").on(t.orgId, t.id),
    index("restores_db").on(t.orgId, t.databaseId, t.id),
  ],
);

/**
 * How the Worker presigns restore downloads from one of an org's buckets: a read-only S3 key (GetObject on
 * the backup prefix). The secret is sealed with AES-256-GCM under the BUCKET_CREDENTIALS_KEY secret and is
 * never returned by the API. The Worker only signs URLs with it; it never fetches an object.
 */
export const bucketCredentials = sqliteTable(
  "bucket_credentials",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    bucket: text("bucket").notNull(),
    endpoint: text("endpoint"),
    region: text("region").notNull(),
    forcePathStyle: integer("force_path_style", { mode: "boolean" }).notNull(),
    accessKeyId: text("access_key_id").notNull(),
    sealedSecret: text("sealed_secret").notNull(),
    updatedBy: text("updated_by").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.bucket] })],
);

/**
 * Where an org's alerts go (admins set them): a webhook (Standard Webhooks, signed with its secret), a Slack
 * incoming webhook or email addresses. The target (URL and secret, or addresses) is sealed with AES-256-GCM
 * under BUCKET_CREDENTIALS_KEY, org and channel bound as additional data, and only the queue consumer opens
 * it; the API answers `targetHint` (the kind and host, or the addresses' domains) and never the target.
 */
export const alertChannels = sqliteTable(
  "alert_channels",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    kind: text("kind", { enum: CHANNEL_KINDS }).notNull(),
    /** JSON: the AlertCondition[] it receives; empty: every condition. */
    conditions: text("conditions", { mode: "json" }).$type<AlertCondition[]>().notNull(),
    minSeverity: text("min_severity", { enum: ALERT_SEVERITIES }).notNull(),
    /** While an incident stays open, notify again every this many minutes; null: once. */
    repeatMinutes: integer("repeat_minutes"),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    sealedTarget: text("sealed_target").notNull(),
    targetSha256: text("target_sha256").notNull(),
    targetHint: text("target_hint").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("alert_channels_org").on(t.orgId, t.id)],
);

/**
 * One incident: a condition holding for a subject, from when the cron tick first saw it to when it saw it
 * clear. `open_key` is `<condition> <subject>` while open and null once resolved, so a unique index keeps
 * one open incident per (org, condition, subject) and any number of resolved ones.
 */
export const alertIncidents = sqliteTable(
  "alert_incidents",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    condition: text("condition", { enum: ALERT_CONDITIONS }).notNull(),
    subject: text("subject").notNull(),
    openKey: text("open_key"),
    severity: text("severity", { enum: ALERT_SEVERITIES }).notNull(),
    summary: text("summary").notNull(),
    detail: text("detail"),
    openedAt: integer("opened_at").notNull(),
    /** The last tick that saw the condition hold. */
    lastSeenAt: integer("last_seen_at").notNull(),
    /** How many ticks in a row have seen it clear (it resolves at two). */
    clearTicks: integer("clear_ticks").notNull().default(0),
    lastNotifiedAt: integer("last_notified_at").notNull(),
    resolvedAt: integer("resolved_at"),
  },
  (t) => [
    uniqueIndex("alert_incidents_open").on(t.orgId, t.openKey),
    index("alert_incidents_org").on(t.orgId, t.id),
    index("alert_incidents_open_all").on(t.openKey),
  ],
);

/** One notice to one channel and what became of it: the queue consumer's delivery history. */
export const alertDeliveries = sqliteTable(
  "alert_deliveries",
  {
    /** The notice's delivery id: the webhook-id, and the queue message's idempotency key. */
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    channelId: text("channel_id").notNull(),
    incidentId: text("incident_id").notNull(),
    kind: text("kind", { enum: NOTICE_KINDS }).notNull(),
    /** `queued` until the consumer's first attempt, then `retrying`, `delivered` or `failed` (given up). */
    status: text("status", { enum: ["queued", "retrying", "delivered", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [index("alert_deliveries_channel").on(t.orgId, t.channelId, t.createdAt)],
);

/**
 * An external witness of an org's log (verifier/SPEC.md §13), set by admins: its name (its cosigner key's),
 * its submission prefix and cosigner vkey, and its push state as the cron tick leaves it: the size of the
 * newest checkpoint it cosigned that the Ledger keeps, when the last push was tried and when one last
 * succeeded, the last error (fixed words and a status, never the URL) and the failures in a row that set
 * its backoff. A changed vkey starts its state over.
 */
export const witnesses = sqliteTable(
  "witnesses",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    url: text("url").notNull(),
    vkey: text("vkey").notNull(),
    cosignedSize: integer("cosigned_size").notNull().default(0),
    lastAttemptAt: integer("last_attempt_at"),
    lastSuccessAt: integer("last_success_at"),
    lastError: text("last_error"),
    failures: integer("failures").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("witnesses_org_name").on(t.orgId, t.name)],
);
