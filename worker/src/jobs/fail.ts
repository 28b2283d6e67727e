import type { FailResponse } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { safeText } from "../log/free-text.js";
import { flushOutbox } from "../log/outbox.js";
import { attemptFailedDrill, attemptFailedEvent, type OverJob, statusAllows } from "./job-machine.js";

/** What failing a job did: whether it will be tried again (the wire's FailResponse). */
export type FailOutcome = FailResponse;

/**
 * Fails the job's current attempt (fenced by the lease): re-queued if the runner says it may be retried
 * and attempts remain, failed for good otherwise; backup.failed (or drill.failed, for a drill) carries the
 * runner's reason, with any credential in it redacted. Only a `leased` job: once a completion is recorded,
 * fail changes nothing, so a fail that succeeds guarantees that nothing was or will be signed under that
 * lease (for a drill: that no receipt was or will be accepted under it).
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
  const live: OverJob = (j) =>
    `${j}id = ?1 AND ${j}org_id = ?2 AND ${j}lease_id = ?3 AND ${j}runner_id = ?4 AND ${statusAllows("retry", `${j}status`)}`;
  const retry: OverJob = (j) => `(?5 AND ${j}attempt < ${j}max_attempts)`;
  const params = [jobId, runner.orgId, leaseId, runner.id, retryable ? 1 : 0, reason, now];
  const [, , updated] = await env.DB.batch<{ status: string; attempt: number }>([
    env.DB.prepare(
      attemptFailedEvent({
        key: `'failed:' || id || ':' || lease_id`,
        actor: `'runner:' || runner_id`,
        reason: "?6",
        willRetry: retry,
        at: "?7",
        where: live,
      }),
    ).bind(...params),
    env.DB.prepare(attemptFailedDrill({ reason: "?6", willRetry: retry, at: "?7", where: live })).bind(...params),
    env.DB.prepare(
      `UPDATE jobs SET status = CASE WHEN ${retry("")} THEN 'queued' ELSE 'failed' END,
              finished_at = CASE WHEN ${retry("")} THEN NULL ELSE ?7 END, last_error = ?6, lease_id = NULL, lease_expires_at = NULL
       WHERE ${live("")} RETURNING status, attempt`,
    ).bind(...params),
  ]);
  const row = updated?.results[0];
  if (!row) return null;
  await flushOutbox(env, runner.orgId);
  return { willRetry: row.status === "queued", attempt: row.attempt };
}
