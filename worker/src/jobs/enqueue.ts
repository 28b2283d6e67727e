import type { JobKind } from "@walwarden/verifier";
import type { QueuedBackup } from "@walwarden/verifier/wire";
import { intVar, type Env } from "../env.js";
import { newId } from "../lib/ids.js";
import { flushOutbox, outboxStatements } from "../log/outbox.js";

/** A manual backup's job, and whether this request queued it (false: one was already waiting). */
export interface Enqueued extends QueuedBackup {
  created: boolean;
}

/**
 * The SQL condition "a waiting manual job of this kind for this database": queued and never claimed
 * (attempt 0). A job re-queued after a failed attempt is a retry of earlier work, not new work asked for,
 * so it neither blocks nor is reused. Backups and drills wait apart: a waiting drill never blocks a backup.
 */
export const unclaimedManual = (kind: JobKind, org: string, database: string) =>
  `org_id = ${org} AND database_id = ${database} AND kind = '${kind}' AND "trigger" = 'manual' AND status = 'queued' AND attempt = 0`;

/**
 * Queues a backup someone asked for now (operator or above), logged as backup.scheduled with no
 * schedule; unless the database already has a manual job that no runner has claimed yet, which is then
 * the answer (an operator once queued 200 full dumps in 5 s). One batch, one transaction: the INSERT
 * checks and inserts in one statement, and D1 runs statements one at a time on one SQLite database, so
 * of requests at once exactly one inserts; the log event is written only for a job that was inserted,
 * and the last statement reads whichever job is waiting.
 */
export async function enqueueManualBackup(
  env: Env,
  orgId: string,
  databaseId: string,
  actor: string,
  now: number,
): Promise<Enqueued> {
  const jobId = newId("job", now);
  const backupId = newId("bkp", now);
  const results = await env.DB.batch<{ id: string; backup_id: string }>([
    env.DB.prepare(
      `INSERT INTO jobs (id, org_id, database_id, schedule_id, slot_at, "trigger", status, attempt, max_attempts, backup_id, created_at)
       SELECT ?1, ?2, ?3, NULL, ?4, 'manual', 'queued', 0, ?5, ?6, ?4
       WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE ${unclaimedManual("backup", "?2", "?3")})`,
    ).bind(jobId, orgId, databaseId, now, intVar(env.MAX_JOB_ATTEMPTS, 3), backupId),
    ...outboxStatements(
      env.DB,
      [
        {
          orgId,
          key: `scheduled:${jobId}`,
          type: "backup.scheduled",
          actor,
          subject: `database:${databaseId}`,
          data: { jobId, scheduleId: null, databaseId, slot: new Date(now).toISOString() },
        },
      ],
      now,
      jobId,
    ),
    env.DB.prepare(
      `SELECT id, backup_id FROM jobs WHERE ${unclaimedManual("backup", "?1", "?2")} ORDER BY id LIMIT 1`,
    ).bind(orgId, databaseId),
  ]);
  const job = results.at(-1)?.results[0];
  // The batch is one transaction: either this request's row or the one that stopped it is there.
  if (!job) throw new Error(`no waiting manual job for ${databaseId} after enqueueing`);
  // Also for a job that was already waiting: its event may still be in the outbox (the first request's
  // append failed), and this gets it into the log.
  await flushOutbox(env, orgId);
  return { jobId: job.id, backupId: job.backup_id, created: job.id === jobId };
}
