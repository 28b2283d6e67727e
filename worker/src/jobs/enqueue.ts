import type { QueuedBackup } from "@walwarden/verifier/wire";
import { intVar, type Env } from "../env.js";
import { newId } from "../lib/ids.js";
import { flushOutbox, outboxStatements } from "../log/outbox.js";

/** Queues a backup someone asked for now (operator or above), logged as backup.scheduled with no schedule. */
export async function enqueueManualBackup(
  env: Env,
  orgId: string,
  databaseId: string,
  actor: string,
  now: number,
): Promise<QueuedBackup> {
  const jobId = newId("job", now);
  const backupId = newId("bkp", now);
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO jobs (id, org_id, database_id, schedule_id, slot_at, "trigger", status, attempt, max_attempts, backup_id, created_at)
       VALUES (?, ?, ?, NULL, ?, 'manual', 'queued', 0, ?, ?, ?)`,
    ).bind(jobId, orgId, databaseId, now, intVar(env.MAX_JOB_ATTEMPTS, 3), backupId, now),
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
    ),
  ]);
  await flushOutbox(env, orgId);
  return { jobId, backupId };
}
