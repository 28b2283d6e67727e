import type { ClaimedJob } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { newId } from "../lib/ids.js";
import { iso } from "../lib/time.js";
import { flushOutbox } from "../log/outbox.js";
import { statusAllows } from "./job-machine.js";
import { leaseUntil } from "./lease.js";

/**
 * Leases the oldest queued job of the runner's org for one of the databases it serves. One UPDATE picks
 * and leases it, so of two runners claiming at once exactly one gets it; backup.started goes into the
 * outbox in the same batch and into the log before the answer.
 */
export async function claimJob(
  env: Env,
  runner: { id: string; orgId: string },
  databases: string[],
  version: string,
  now: number,
): Promise<ClaimedJob | null> {
  const leaseId = newId("lease", now);
  const expiresAt = leaseUntil(env, now);
  const [claimed] = await env.DB.batch<{
    id: string;
    database_id: string;
    schedule_id: string | null;
    attempt: number;
    backup_id: string;
  }>([
    env.DB.prepare(
      `UPDATE jobs SET status = 'leased', attempt = attempt + 1, lease_id = ?1, lease_expires_at = ?2, runner_id = ?3,
              started_at = ?4, heartbeat_at = ?4, progress_phase = NULL, progress_bytes = NULL
       WHERE id = (SELECT id FROM jobs WHERE org_id = ?5 AND ${statusAllows("claim")}
                     AND database_id IN (SELECT value FROM json_each(?6)) ORDER BY created_at, id LIMIT 1)
         AND ${statusAllows("claim")}
       RETURNING id, database_id, schedule_id, attempt, backup_id`,
    ).bind(leaseId, expiresAt, runner.id, now, runner.orgId, JSON.stringify(databases)),
    env.DB.prepare(
      `INSERT OR IGNORE INTO outbox (org_id, key, type, actor, subject, data, created_at)
       SELECT org_id, 'started:' || id || ':' || lease_id, 'backup.started', 'runner:' || runner_id, 'database:' || database_id,
              json_object('jobId', id, 'databaseId', database_id, 'runnerId', runner_id, 'attempt', attempt), ?2
       FROM jobs WHERE lease_id = ?1`,
    ).bind(leaseId, now),
    env.DB.prepare("UPDATE runners SET last_seen_at = ?, version = ? WHERE id = ?").bind(now, version, runner.id),
  ]);
  const job = claimed?.results[0];
  if (!job) return null;
  await flushOutbox(env, runner.orgId);
  return {
    kind: "backup",
    jobId: job.id,
    databaseId: job.database_id,
    scheduleId: job.schedule_id,
    attempt: job.attempt,
    leaseId,
    leaseExpiresAt: iso(expiresAt)!,
    backupId: job.backup_id,
    runnerId: runner.id,
  };
}
