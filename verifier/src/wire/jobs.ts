import { z } from "zod";
import { JOB_KINDS, JOB_STATES } from "../jobs/job-state.js";
import { Id, Instant, ZonedInstant } from "../schema/common.js";
import { PageQuerySchema, pageOf } from "./page.js";

/** A job's state (the state machine in verifier/src/jobs/job-state.ts). */
export const JobStateSchema = z.enum(JOB_STATES);

/** Why a job exists: a schedule's slot came, or someone asked for a backup now. */
export const JOB_TRIGGERS = ["schedule", "manual"] as const;
/** A job's trigger. */
export const JobTriggerSchema = z.enum(JOB_TRIGGERS);

/** What a runner is doing, as its heartbeats report it. */
export const BACKUP_PHASES = ["dumping", "uploading", "finalizing"] as const;
/** A backup's phase. */
export const BackupPhaseSchema = z.enum(BACKUP_PHASES);
/** What a drill is doing, as its heartbeats report it. */
export const DRILL_PHASES = ["preparing", "downloading", "restoring", "checking"] as const;
/** A prune's phase: deleting (SPEC §12). */
export const PRUNE_PHASES = ["deleting"] as const;
/** Every phase a heartbeat may report. */
export const JobPhaseSchema = z.enum([...BACKUP_PHASES, ...DRILL_PHASES, ...PRUNE_PHASES]);

/** A backup job with its attempts, lease and live progress (GET /v1/jobs, GET /v1/jobs/:id). */
export const JobSchema = z.strictObject({
  id: Id,
  kind: z.enum(JOB_KINDS),
  databaseId: Id,
  scheduleId: Id.nullable(),
  trigger: JobTriggerSchema,
  slotAt: Instant,
  status: JobStateSchema,
  attempt: z.number().int().nonnegative(),
  maxAttempts: z.number().int().positive(),
  runnerId: Id.nullable(),
  leaseExpiresAt: Instant.nullable(),
  /** The last heartbeat's numbers, while the current attempt reports them. */
  progress: z
    .strictObject({ phase: JobPhaseSchema, bytes: z.number().int().nonnegative(), at: Instant.nullable() })
    .nullable(),
  /** A backup job: the id the backup gets (or got) when it succeeds. A drill: the backup it restores. */
  backupId: Id,
  /** A drill job's drill id; null for a backup. */
  drillId: Id.nullable(),
  lastError: z.string().nullable(),
  createdAt: Instant,
  startedAt: Instant.nullable(),
  finishedAt: Instant.nullable(),
});
/** A job. */
export type Job = z.infer<typeof JobSchema>;
/** GET /v1/jobs. */
export const JobPageSchema = pageOf(JobSchema);
/** A page of jobs. */
export type JobPage = z.infer<typeof JobPageSchema>;
/** GET /v1/jobs?databaseId=&runnerId=&status=&kind=&since=: a page, optionally filtered (`since`: created at or after). */
export const ListJobsQuerySchema = PageQuerySchema.extend({
  kind: z.enum(JOB_KINDS).optional(),
  databaseId: Id.optional(),
  /** The runner that holds or last held the job. */
  runnerId: Id.optional(),
  status: JobStateSchema.optional(),
  since: ZonedInstant.optional(),
});
