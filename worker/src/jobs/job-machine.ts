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

/** SQL over a job row whose columns are named with `job` before them (`""` or an alias such as `"j."`). */
export type OverJob = (job: string) => string;

/**
 * The statement that logs a failed attempt of each job `where` selects (INSERT … SELECT into the outbox,
 * in the batch that moves the job): `backup.failed` for a backup, `drill.failed` with no receipt for a
 * drill. One statement for every kind, so a failure is logged the same way whatever the job does. A prune's
 * failed attempt is not logged (SPEC §12 gives retention its own events only): its job row keeps the reason,
 * and the cron tick decides again once no prune is waiting.
 */
export function attemptFailedEvent(o: {
  key: string;
  actor: string;
  reason: string;
  willRetry: OverJob;
  at: string;
  where: OverJob;
}): string {
  const willRetry = `json(CASE WHEN ${o.willRetry("")} THEN 'true' ELSE 'false' END)`;
  return `INSERT OR IGNORE INTO outbox (org_id, key, type, actor, subject, data, created_at)
    SELECT org_id, ${o.key}, CASE kind WHEN 'drill' THEN 'drill.failed' ELSE 'backup.failed' END, ${o.actor},
           'database:' || database_id,
           CASE kind
             WHEN 'drill' THEN json_object('jobId', id, 'drillId', drill_id, 'databaseId', database_id, 'backupId', backup_id,
                                           'runnerId', runner_id, 'attempt', attempt, 'reason', ${o.reason}, 'willRetry', ${willRetry},
                                           'receiptSha256', NULL, 'runnerVkey', NULL)
             ELSE json_object('jobId', id, 'databaseId', database_id, 'runnerId', runner_id, 'attempt', attempt,
                              'reason', ${o.reason}, 'willRetry', ${willRetry})
           END,
           ${o.at}
    FROM jobs WHERE kind <> 'prune' AND (${o.where("")})`;
}

/**
 * The statement that moves the drill of each failed drill job `where` selects, run before the job row
 * moves: `queued` again when the job will be retried, else `failed` for good with the reason and time.
 * A backup job has no drill, so for it this changes nothing.
 */
export function attemptFailedDrill(o: { reason: string; willRetry: OverJob; at: string; where: OverJob }): string {
  const retry = o.willRetry("j.");
  return `UPDATE drills SET status = CASE WHEN ${retry} THEN 'queued' ELSE 'failed' END,
           reason = CASE WHEN ${retry} THEN NULL ELSE ${o.reason} END,
           finished_at = CASE WHEN ${retry} THEN NULL ELSE ${o.at} END
    FROM jobs AS j WHERE drills.id = j.drill_id AND j.kind = 'drill' AND ${o.where("j.")}`;
}
