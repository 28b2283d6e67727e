import type { FailResponse } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { safeText } from "../log/free-text.js";
import { flushOutbox } from "../log/outbox.js";
import { statusAllows } from "./job-machine.js";

/** What failing a job did: whether it will be tried again (the wire's FailResponse). */
export type FailOutcome = FailResponse;

/**
 * Fails the job's current attempt (fenced by the lease): re-queued if the runner says it may be retried
 * and attempts remain, failed for good otherwise; backup.failed carries the runner's reason, with any
 * credential in it redacted. Only a `leased` job: once a completion is recorded, fail changes nothing,
 * so a fail that succeeds guarantees that nothing was or will be signed under that lease.
 */
export async function failJob(
  env: Env,
  runner: { id: string; orgId: string },
  jobId: string,
  leaseId: string,
  reason: string,
  retryable: boolean,
  now: number,
): Promise<FailOutcome | null> {
  reason = safeText(reason, 4000);
  const live = `id = ?1 AND org_id = ?2 AND lease_id = ?3 AND runner_id = ?4 AND ${statusAllows("retry")}`;
  const retry = `(?5 AND attempt < max_attempts)`;
  const [, updated] = await env.DB.batch<{ status: string; attempt: number }>([
    env.DB.prepare(
      `INSERT OR IGNORE INTO outbox (org_id, key, type, actor, subject, data, created_at)
       SELECT org_id, 'failed:' || id || ':' || lease_id, 'backup.failed', 'runner:' || runner_id, 'database:' || database_id,
              json_object('jobId', id, 'databaseId', database_id, 'runnerId', runner_id, 'attempt', attempt, 'reason', ?6,
                          'willRetry', json(CASE WHEN ${retry} THEN 'true' ELSE 'false' END)), ?7
       FROM jobs WHERE ${live}`,
    ).bind(jobId, runner.orgId, leaseId, runner.id, retryable ? 1 : 0, reason, now),
    env.DB.prepare(
      `UPDATE jobs SET status = CASE WHEN ${retry} THEN 'queued' ELSE 'failed' END,
              finished_at = CASE WHEN ${retry} THEN NULL ELSE ?7 END, last_error = ?6, lease_id = NULL, lease_expires_at = NULL
       WHERE ${live} RETURNING status, attempt`,
    ).bind(jobId, runner.orgId, leaseId, runner.id, retryable ? 1 : 0, reason, now),
  ]);
  const row = updated?.results[0];
  if (!row) return null;
  await flushOutbox(env, runner.orgId);
  return { willRetry: row.status === "queued", attempt: row.attempt };
}
