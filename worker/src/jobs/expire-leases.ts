import type { CountingD1 } from "../lib/d1-counter.js";
import { statusAllows } from "./job-machine.js";

/** Expired leases handled per pass. */
const LIMIT = 1000;

/** The reason logged when a lease runs out. */
export const LEASE_EXPIRED_REASON = "lease expired: the runner stopped heartbeating";

/**
 * Re-queues jobs whose lease ran out (or fails them for good after their last attempt), logging
 * backup.failed with willRetry for each, set-based in one atomic batch: the outbox rows are written from
 * the same rows the update changes. Only `leased` jobs: a `completing` job's completion is recorded (it
 * may be signed and logged already), so it is finished, never re-queued (finishStalledCompletions).
 */
export async function expireLeases(d1: CountingD1, now: number): Promise<number> {
  const expired = `SELECT id FROM jobs WHERE ${statusAllows("retry")} AND lease_expires_at < ?1 ORDER BY lease_expires_at LIMIT ${LIMIT}`;
  const [events] = await d1.batch([
    d1.prepare(
      `INSERT OR IGNORE INTO outbox (org_id, key, type, actor, subject, data, created_at)
       SELECT org_id, 'expired:' || id || ':' || lease_id, 'backup.failed', 'system:lease-sweeper', 'database:' || database_id,
              json_object('jobId', id, 'databaseId', database_id, 'runnerId', runner_id, 'attempt', attempt,
                          'reason', ?2, 'willRetry', json(CASE WHEN attempt < max_attempts THEN 'true' ELSE 'false' END)),
              ?1
       FROM jobs WHERE id IN (${expired})`,
      now,
      LEASE_EXPIRED_REASON,
    ),
    d1.prepare(
      `UPDATE jobs SET
         status = CASE WHEN attempt < max_attempts THEN 'queued' ELSE 'failed' END,
         finished_at = CASE WHEN attempt < max_attempts THEN NULL ELSE ?1 END,
         last_error = ?2, lease_id = NULL, lease_expires_at = NULL
       WHERE id IN (${expired})`,
      now,
      LEASE_EXPIRED_REASON,
    ),
  ]);
  return events?.meta.changes ?? 0;
}
