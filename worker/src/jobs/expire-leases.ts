import type { CountingD1 } from "../lib/d1-counter.js";
import { attemptFailedDrill, attemptFailedEvent, type OverJob, statusAllows } from "./job-machine.js";

/** Expired leases handled per pass. */
const LIMIT = 1000;

/** The reason logged when a lease runs out. */
export const LEASE_EXPIRED_REASON = "lease expired: the runner stopped heartbeating";

/**
 * Re-queues jobs whose lease ran out (or fails them for good after their last attempt), logging
 * backup.failed (drill.failed for a drill; nothing for a prune) with willRetry for each, and returns how
 * many it moved; set-based in one atomic batch: the outbox rows and the drills' rows are written from the
 * same rows the update changes. Only `leased` jobs:
 * a `completing` job's completion is recorded (it may be signed and logged already), so it is finished,
 * never re-queued (finishStalledCompletions).
 */
export async function expireLeases(d1: CountingD1, now: number): Promise<number> {
  const expired = `SELECT id FROM jobs WHERE ${statusAllows("retry")} AND lease_expires_at < ?1 ORDER BY lease_expires_at LIMIT ${LIMIT}`;
  const among: OverJob = (j) => `${j}id IN (${expired})`;
  const retry: OverJob = (j) => `${j}attempt < ${j}max_attempts`;
  const [, , moved] = await d1.batch([
    d1.prepare(
      attemptFailedEvent({
        key: `'expired:' || id || ':' || lease_id`,
        actor: `'system:lease-sweeper'`,
        reason: "?2",
        willRetry: retry,
        at: "?1",
        where: among,
      }),
      now,
      LEASE_EXPIRED_REASON,
    ),
    d1.prepare(
      attemptFailedDrill({ reason: "?2", willRetry: retry, at: "?1", where: among }),
      now,
      LEASE_EXPIRED_REASON,
    ),
    d1.prepare(
      `UPDATE jobs SET
         status = CASE WHEN ${retry("")} THEN 'queued' ELSE 'failed' END,
         finished_at = CASE WHEN ${retry("")} THEN NULL ELSE ?1 END,
         last_error = ?2, lease_id = NULL, lease_expires_at = NULL
       WHERE ${among("")}`,
      now,
      LEASE_EXPIRED_REASON,
    ),
  ]);
  // The jobs moved, not the events logged: a prune's expired lease logs nothing (attemptFailedEvent).
  return moved?.meta.changes ?? 0;
}
