import type { HeartbeatProgress } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { iso } from "../lib/time.js";
import { statusHoldsLease } from "./job-machine.js";
import { leaseUntil } from "./lease.js";

/**
 * Extends a live lease and records progress; null if the lease is not (or no longer) this job's. A
 * `completing` job's lease is still the runner's (its complete was recorded and is being retried).
 */
export async function heartbeat(
  env: Env,
  runner: { id: string; orgId: string },
  jobId: string,
  leaseId: string,
  progress: HeartbeatProgress,
  now: number,
): Promise<string | null> {
  const until = leaseUntil(env, now);
  const [updated] = await env.DB.batch([
    env.DB.prepare(
      `UPDATE jobs SET lease_expires_at = ?1, heartbeat_at = ?2, progress_phase = ?3, progress_bytes = ?4
       WHERE id = ?5 AND org_id = ?6 AND lease_id = ?7 AND runner_id = ?8 AND ${statusHoldsLease()} AND lease_expires_at >= ?2
       RETURNING id`,
    ).bind(until, now, progress.phase, progress.bytes, jobId, runner.orgId, leaseId, runner.id),
    // Seen only when the heartbeat is accepted: a refused one (409, lease lost) writes nothing. The job row
    // the statement above updated is the proof, read in the same transaction.
    env.DB.prepare(
      `UPDATE runners SET last_seen_at = ?1 WHERE id = ?2
         AND EXISTS (SELECT 1 FROM jobs WHERE id = ?3 AND lease_id = ?4 AND runner_id = ?2 AND heartbeat_at = ?1)`,
    ).bind(now, runner.id, jobId, leaseId),
  ]);
  return updated?.results.length ? iso(until) : null;
}
