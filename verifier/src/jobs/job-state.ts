// The job lifecycle, defined once: the Worker enforces it (worker/src/jobs/job-machine.ts), the dashboard
// and clients read the same states. Every kind of job (backup, drill, prune) goes through
// the same claim → lease → heartbeat → complete | fail protocol, so they share this machine.

/** What a job does: a backup, a restore drill (SPEC §11), or deleting what retention expired (SPEC §12). */
export const JOB_KINDS = ["backup", "drill", "prune"] as const;
/** A job's kind. */
export type JobKind = (typeof JOB_KINDS)[number];

/** A job's states, in the order a successful one passes through them. */
export const JOB_STATES = ["queued", "leased", "completing", "succeeded", "failed"] as const;
/** A job's state. */
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves. */
export const JOB_TERMINAL_STATES: ReadonlySet<JobState> = new Set(["succeeded", "failed"]);

/**
 * `completing` leads only to `succeeded`: once the Worker has recorded a completion (and so may have
 * signed and logged it), neither lease expiry nor a runner's fail can take the job back to `queued`.
 */
const NEXT: Record<JobState, readonly JobState[]> = {
  queued: ["leased"],
  // completing: the runner's complete was recorded; queued: a retryable failure or an expired lease;
  // failed: a final failure, or the last attempt's lease expired.
  leased: ["completing", "queued", "failed"],
  completing: ["succeeded"],
  succeeded: [],
  failed: [],
};

/** True if the job state machine allows going from one state to the next. */
export function canJobTransition(from: JobState, to: JobState): boolean {
  return NEXT[from].includes(to);
}

/** The states a job may be in to move to `to`, in JOB_STATES order. */
export function jobStatesInto(to: JobState): JobState[] {
  return JOB_STATES.filter((from) => canJobTransition(from, to));
}

/**
 * The states in which a lease is held: a heartbeat is accepted (with the job's current lease) in these
 * states only. `completing` keeps its lease for good: the completion was recorded under it.
 */
export const LEASE_HOLDING_STATES: readonly JobState[] = ["leased", "completing"];
