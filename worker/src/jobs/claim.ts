import type { JobKind } from "@walwarden/verifier";
import type { ClaimedJob } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { newId } from "../lib/ids.js";
import { iso } from "../lib/time.js";
import { flushOutbox } from "../log/outbox.js";
import { minLockDaysOf } from "../retention/policy.js";
import { pruneJobOf, type PruneJobRow } from "../retention/prune-job.js";
import { drillJobOf, type DrillJobRow } from "./drill-job.js";
import { statusAllows } from "./job-machine.js";
import { leaseUntil } from "./lease.js";

interface ClaimedRow {
  id: string;
  kind: JobKind;
  database_id: string;
  schedule_id: string | null;
  attempt: number;
  backup_id: string;
}

/**
 * Leases the oldest queued job of the runner's org for one of the databases it serves, of a kind it asked
 * for: a drill only to a runner that has registered its own key (it must sign the receipt). One UPDATE
 * picks and leases it, so of two runners claiming at once exactly one gets it; in the same batch a backup's
 * backup.started goes into the outbox (and into the log before the answer), a drill's row becomes
 * `running`, and what the answer carries is read: a drill's backup and settings, a prune's decision and
 * targets, and for a backup the lock days its database's retention policy asks for (SPEC §12).
 */
export async function claimJob(
  env: Env,
  runner: { id: string; orgId: string },
  databases: string[],
  kinds: JobKind[],
  version: string,
  now: number,
): Promise<ClaimedJob | null> {
  const leaseId = newId("lease", now);
  const expiresAt = leaseUntil(env, now);
  const [claimed, , , drill, prune, retention] = await env.DB.batch<
    ClaimedRow & DrillJobRow & PruneJobRow & { policy: string }
  >([
    env.DB.prepare(
      `UPDATE jobs SET status = 'leased', attempt = attempt + 1, lease_id = ?1, lease_expires_at = ?2, runner_id = ?3,
              started_at = ?4, heartbeat_at = ?4, progress_phase = NULL, progress_bytes = NULL
       WHERE id = (SELECT id FROM jobs WHERE org_id = ?5 AND ${statusAllows("claim")}
                     AND database_id IN (SELECT value FROM json_each(?6))
                     AND kind IN (SELECT value FROM json_each(?7))
                     AND (kind <> 'drill' OR (EXISTS (SELECT 1 FROM runners WHERE id = ?3 AND vkey IS NOT NULL)
                                              AND EXISTS (SELECT 1 FROM backups WHERE id = jobs.backup_id)))
                     AND (kind <> 'prune' OR EXISTS (SELECT 1 FROM prune_jobs WHERE job_id = jobs.id))
                   ORDER BY created_at, id LIMIT 1)
         AND ${statusAllows("claim")}
       RETURNING id, kind, database_id, schedule_id, attempt, backup_id`,
    ).bind(leaseId, expiresAt, runner.id, now, runner.orgId, JSON.stringify(databases), JSON.stringify(kinds)),
    env.DB.prepare(
      `INSERT OR IGNORE INTO outbox (org_id, key, type, actor, subject, data, created_at)
       SELECT org_id, 'started:' || id || ':' || lease_id, 'backup.started', 'runner:' || runner_id, 'database:' || database_id,
              json_object('jobId', id, 'databaseId', database_id, 'runnerId', runner_id, 'attempt', attempt), ?2
       FROM jobs WHERE lease_id = ?1 AND kind = 'backup'`,
    ).bind(leaseId, now),
    env.DB.prepare(
      `UPDATE drills SET status = 'running', runner_id = j.runner_id, attempt = j.attempt
       FROM jobs AS j WHERE drills.id = j.drill_id AND j.lease_id = ?1 AND j.kind = 'drill'`,
    ).bind(leaseId),
    env.DB.prepare(
      `SELECT d.id AS drill_id, d.target, d.max_rto_seconds, d.assertions, b.envelope, b.manifest_sha256
       FROM jobs j JOIN drills d ON d.id = j.drill_id JOIN backups b ON b.id = j.backup_id AND b.org_id = j.org_id
       WHERE j.lease_id = ?1 AND j.kind = 'drill'`,
    ).bind(leaseId),
    env.DB.prepare(
      `SELECT p.decided_at, p.policy, p.targets FROM jobs j JOIN prune_jobs p ON p.job_id = j.id
       WHERE j.lease_id = ?1 AND j.kind = 'prune'`,
    ).bind(leaseId),
    env.DB.prepare(
      `SELECT r.policy FROM jobs j JOIN retention_policies r ON r.database_id = j.database_id AND r.org_id = j.org_id
       WHERE j.lease_id = ?1 AND j.kind = 'backup'`,
    ).bind(leaseId),
    env.DB.prepare("UPDATE runners SET last_seen_at = ?, version = ? WHERE id = ?").bind(now, version, runner.id),
  ]);
  const job = claimed?.results[0];
  if (!job) return null;
  await flushOutbox(env, runner.orgId);
  const lease = { attempt: job.attempt, leaseId, leaseExpiresAt: iso(expiresAt)!, runnerId: runner.id };
  if (job.kind === "drill") {
    const row = drill?.results[0];
    // The batch is one transaction: a drill job is only ever queued with its drill row and for a stored backup.
    if (!row) throw new Error(`drill job ${job.id} has no drill or backup row`);
    return drillJobOf(runner.orgId, job.id, job.database_id, job.backup_id, row, lease);
  }
  if (job.kind === "prune") {
    const row = prune?.results[0];
    // The batch is one transaction: a prune job is only ever queued with its prune_jobs row (the claim checks).
    if (!row) throw new Error(`prune job ${job.id} has no prune_jobs row`);
    return pruneJobOf(job.id, job.database_id, row, lease);
  }
  return {
    kind: "backup",
    jobId: job.id,
    databaseId: job.database_id,
    scheduleId: job.schedule_id,
    backupId: job.backup_id,
    ...lease,
    minLockDays: minLockDaysOf(retention?.results[0]?.policy),
  };
}
