import { jobStatesInto, LEASE_HOLDING_STATES, type JobState } from "@walwarden/verifier";

// The Worker's enforcement of the verifier's job state machine. Every statement that changes a job's
// status guards it with one of these conditions, so a transition the machine does not allow matches no
// row: it is not an error path to forget, it simply cannot happen.

/** The job transitions the Worker makes, each from and to the machine's states. */
export const JOB_TRANSITIONS = {
  /** A runner claims a queued job (claim). */
  claim: { to: "leased" },
  /** A runner's complete is recorded under its live lease (complete). */
  recordCompletion: { to: "completing" },
  /** The completion's log entry and rows are written (complete, or the cron tick's finisher). */
  finishCompletion: { to: "succeeded" },
  /** A retryable failure or an expired lease with attempts left (fail, expire-leases). */
  retry: { to: "queued" },
  /** A final failure, or the last attempt's lease expired (fail, expire-leases). */
  giveUp: { to: "failed" },
} as const satisfies Record<string, { to: JobState }>;

/** A transition's name. */
export type JobTransition = keyof typeof JOB_TRANSITIONS;

const sqlList = (states: readonly JobState[]) => states.map((s) => `'${s}'`).join(", ");

/** The SQL condition "the job may make this transition now": its status is one the machine allows it from. */
export function statusAllows(transition: JobTransition, column = "status"): string {
  return `${column} IN (${sqlList(jobStatesInto(JOB_TRANSITIONS[transition].to))})`;
}

/** The SQL condition "a lease is held": heartbeats are accepted in these states only. */
export function statusHoldsLease(column = "status"): string {
  return `${column} IN (${sqlList(LEASE_HOLDING_STATES)})`;
}
