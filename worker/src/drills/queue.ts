import type { DrillBackupChoice } from "@walwarden/verifier";
import type { Drill } from "@walwarden/verifier/wire";
import { dbOf } from "../db/client.js";
import { intVar, type Env } from "../env.js";
import { ApiError, notFound } from "../http/errors.js";
import { unclaimedManual } from "../jobs/enqueue.js";
import type { CountingD1 } from "../lib/d1-counter.js";
import { derivedId, newId } from "../lib/ids.js";
import { flushOutbox, type OutboxEvent, outboxStatements } from "../log/outbox.js";
import { nextSlotAfter, parseCron } from "../scheduling/cron.js";
import { scheduledJobId } from "../scheduling/schedule-due.js";
import { type BackupPick, CHOOSE_BACKUPS_SQL, type ChosenBackup, picksParam } from "./choose-backup.js";
import { DEFAULT_DRILL_TARGET } from "./policy.js";
import { drillView, findDrill } from "./view.js";

/** Due policies read per query. */
const PAGE = 1000;
/** Policies written per batch (each write statement carries its rows as one JSON parameter). */
const PER_STATEMENT = 250;

/**
 * The deterministic ids of a policy's drill for one slot: a tick that runs twice inserts nothing new. The
 * drill id sorts by the slot as every id sorts by its time; the job id reads as a scheduled backup's.
 */
export function scheduledDrillIds(databaseId: string, slotMs: number): { drillId: string; jobId: string } {
  return {
    drillId: derivedId("drl", slotMs, `drill\n${databaseId}\n${slotMs}`),
    jobId: scheduledJobId(`drill.${databaseId}`, slotMs),
  };
}

/** A drill to insert with its job: which backup, and when. Its settings are copied from its policy in SQL. */
interface QueuedDrill {
  drillId: string;
  jobId: string;
  orgId: string;
  databaseId: string;
  backupId: string;
  slot: number;
}

/** drill.scheduled for a queued drill (SPEC §7), keyed by its job. */
const scheduledEvent = (d: QueuedDrill, actor: string): OutboxEvent => ({
  orgId: d.orgId,
  key: `scheduled:${d.jobId}`,
  type: "drill.scheduled",
  actor,
  subject: `database:${d.databaseId}`,
  data: {
    jobId: d.jobId,
    drillId: d.drillId,
    databaseId: d.databaseId,
    backupId: d.backupId,
    slot: new Date(d.slot).toISOString(),
  },
});

// The drill rows of queued drills, from one JSON parameter (?2), each inserted only if its job row is there,
// with the target, maximum RTO and assertions copied from its database's policy in the same transaction
// (the defaults without one), so no policy's assertions pass through the Worker. ?3 is the trigger.
const INSERT_DRILLS = `INSERT OR IGNORE INTO drills (id, org_id, database_id, job_id, backup_id, "trigger", slot_at, target, max_rto_seconds, assertions, status, attempt, created_at)
  SELECT d.value ->> '$.drillId', d.value ->> '$.orgId', d.value ->> '$.databaseId', d.value ->> '$.jobId', d.value ->> '$.backupId',
         ?3, d.value ->> '$.slot', coalesce(p.target, '${DEFAULT_DRILL_TARGET}'), p.max_rto_seconds, coalesce(p.assertions, '[]'),
         'queued', 0, ?1
  FROM json_each(?2) AS d
  LEFT JOIN drill_policies p ON p.database_id = d.value ->> '$.databaseId' AND p.org_id = d.value ->> '$.orgId'
  WHERE EXISTS (SELECT 1 FROM jobs WHERE id = d.value ->> '$.jobId' AND drill_id = d.value ->> '$.drillId')`;

/** The rows of queued drills (and their jobs) as one JSON parameter: a few ids and a slot each. */
const drillsParam = (ds: QueuedDrill[]) => JSON.stringify(ds);

interface DuePolicy {
  database_id: string;
  org_id: string;
  cron: string;
  timezone: string;
  backup: string;
  next_run_at: number;
}

/** What one drill-scheduling pass did. */
export interface DrillScheduleStats {
  drillsDue: number;
  drillsQueued: number;
  /** Due policies whose database has no completed backup yet: nothing queued or logged for that slot. */
  drillsWithoutBackup: number;
}

/**
 * Queues a drill for every due, enabled policy and advances its next_run_at, as scheduleDue does for
 * backups: per 250 policies, one statement chooses their backups and one batch writes the jobs, the drills,
 * their drill.scheduled events and the moves. Missed slots are coalesced into the first (a drill proves the
 * backups restore; five at once prove no more than one). A policy whose database has no completed backup
 * queues and logs nothing, and moves on to its next slot. Idempotent as scheduleDue.
 */
export async function scheduleDueDrills(d1: CountingD1, now: number, maxAttempts: number): Promise<DrillScheduleStats> {
  const stats: DrillScheduleStats = { drillsDue: 0, drillsQueued: 0, drillsWithoutBackup: 0 };
  let after = "";
  for (;;) {
    const due = await d1.all<DuePolicy>(
      d1.prepare(
        `SELECT database_id, org_id, cron, timezone, backup, next_run_at FROM drill_policies
         WHERE enabled = 1 AND next_run_at <= ? AND database_id > ? ORDER BY database_id LIMIT ?`,
        now,
        after,
        PAGE,
      ),
    );
    if (due.length === 0) break;
    after = due.at(-1)!.database_id;
    stats.drillsDue += due.length;
    for (let i = 0; i < due.length; i += PER_STATEMENT) {
      const moves: { id: string; prev: number; next: number | null }[] = [];
      const candidates: { policy: DuePolicy; pick: BackupPick }[] = [];
      for (const p of due.slice(i, i + PER_STATEMENT)) {
        const cron = parseCron(p.cron, p.timezone);
        moves.push({ id: p.database_id, prev: p.next_run_at, next: cron.ok ? nextSlotAfter(cron.value, now) : null });
        if (!cron.ok) continue;
        const { drillId } = scheduledDrillIds(p.database_id, p.next_run_at);
        candidates.push({
          policy: p,
          pick: {
            key: drillId,
            orgId: p.org_id,
            databaseId: p.database_id,
            slot: p.next_run_at,
            choice: JSON.parse(p.backup) as DrillBackupChoice,
            drillId,
          },
        });
      }
      const chosen = new Map<string, string | null>();
      if (candidates.length > 0)
        for (const r of await d1.all<ChosenBackup>(
          d1.prepare(CHOOSE_BACKUPS_SQL, picksParam(candidates.map((c) => c.pick))),
        ))
          chosen.set(r.key, r.backup_id);
      const queued: QueuedDrill[] = [];
      for (const { policy: p, pick } of candidates) {
        const backupId = chosen.get(pick.key);
        if (!backupId) {
          stats.drillsWithoutBackup++;
          continue;
        }
        queued.push({
          ...scheduledDrillIds(p.database_id, p.next_run_at),
          orgId: p.org_id,
          databaseId: p.database_id,
          backupId,
          slot: p.next_run_at,
        });
      }
      await d1.batch([
        ...(queued.length === 0
          ? []
          : [
              d1.prepare(
                `INSERT OR IGNORE INTO jobs (id, org_id, database_id, schedule_id, slot_at, "trigger", kind, status, attempt, max_attempts, backup_id, drill_id, created_at)
                 SELECT value ->> '$.jobId', value ->> '$.orgId', value ->> '$.databaseId', NULL, value ->> '$.slot',
                        'schedule', 'drill', 'queued', 0, ?1, value ->> '$.backupId', value ->> '$.drillId', ?2
                 FROM json_each(?3)`,
                maxAttempts,
                now,
                drillsParam(queued),
              ),
              d1.prepare(INSERT_DRILLS, now, drillsParam(queued), "schedule"),
              ...outboxStatements(
                d1.db,
                queued.map((d) => scheduledEvent(d, "system:cron")),
                now,
              ),
            ]),
        d1.prepare(
          `UPDATE drill_policies SET next_run_at = m.value ->> '$.next'
           FROM json_each(?1) AS m
           WHERE drill_policies.database_id = m.value ->> '$.id' AND drill_policies.next_run_at = m.value ->> '$.prev'`,
          JSON.stringify(moves),
        ),
      ]);
      stats.drillsQueued += queued.length;
    }
    if (due.length < PAGE) break;
  }
  return stats;
}

/** A manual drill's answer, and whether this request queued it (false: one was already waiting). */
export interface EnqueuedDrill {
  drill: Drill;
  created: boolean;
}

/**
 * Queues a drill someone asked for now (operator or above) with the database's policy settings (or the
 * defaults without one: a local target, no RTO, no assertions), of the backup named (a completed backup of that database, else 404) or the one
 * the policy would choose now; 409 when the database has no completed backup. At most one manual drill
 * waits per database, exactly as manual backups (enqueueManualBackup): one batch, whose INSERT checks and
 * inserts in one statement; the drill row and drill.scheduled are written only for a job that was
 * inserted, and the last statement reads whichever drill is waiting, which is the answer.
 */
export async function enqueueManualDrill(
  env: Env,
  orgId: string,
  databaseId: string,
  actor: string,
  backupId: string | undefined,
  now: number,
): Promise<EnqueuedDrill> {
  const jobId = newId("job", now);
  const drillId = newId("drl", now);
  const policy = await env.DB.prepare("SELECT backup FROM drill_policies WHERE database_id = ?1 AND org_id = ?2")
    .bind(databaseId, orgId)
    .first<{ backup: string }>();
  const chosen = backupId
    ? await env.DB.prepare(
        "SELECT id AS backup_id, expired_at FROM backups WHERE id = ?1 AND org_id = ?2 AND database_id = ?3",
      )
        .bind(backupId, orgId, databaseId)
        .first<{ backup_id: string; expired_at: number | null }>()
    : await env.DB.prepare(CHOOSE_BACKUPS_SQL)
        .bind(
          picksParam([
            {
              key: drillId,
              orgId,
              databaseId,
              slot: now,
              choice: policy ? (JSON.parse(policy.backup) as DrillBackupChoice) : { pick: "latest" },
              drillId,
            },
          ]),
        )
        .first<ChosenBackup>();
  if (backupId && !chosen) throw notFound("backup");
  if (chosen && "expired_at" in chosen && chosen.expired_at !== null)
    throw new ApiError(
      409,
      "conflict",
      `backup ${backupId} expired under its database's retention policy: its objects were deleted, there is nothing to drill`,
    );
  if (!chosen?.backup_id)
    throw new ApiError(
      409,
      "conflict",
      `database ${databaseId} has no completed backup to drill yet: back it up first (POST /v1/databases/${databaseId}/backups)`,
    );
  const drill: QueuedDrill = {
    drillId,
    jobId,
    orgId,
    databaseId,
    backupId: chosen.backup_id,
    slot: now,
  };
  const results = await env.DB.batch<{ id: string }>([
    env.DB.prepare(
      `INSERT INTO jobs (id, org_id, database_id, schedule_id, slot_at, "trigger", kind, status, attempt, max_attempts, backup_id, drill_id, created_at)
       SELECT ?1, ?2, ?3, NULL, ?4, 'manual', 'drill', 'queued', 0, ?5, ?6, ?7, ?4
       WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE ${unclaimedManual("drill", "?2", "?3")})`,
    ).bind(jobId, orgId, databaseId, now, intVar(env.MAX_JOB_ATTEMPTS, 3), drill.backupId, drillId),
    env.DB.prepare(INSERT_DRILLS).bind(now, drillsParam([drill]), "manual"),
    ...outboxStatements(env.DB, [scheduledEvent(drill, actor)], now, jobId),
    env.DB.prepare(
      `SELECT id FROM drills WHERE job_id = (SELECT id FROM jobs WHERE ${unclaimedManual("drill", "?1", "?2")} ORDER BY id LIMIT 1)`,
    ).bind(orgId, databaseId),
  ]);
  const waiting = results.at(-1)?.results[0];
  // The batch is one transaction: either this request's drill or the one that stopped it is there.
  if (!waiting) throw new Error(`no waiting manual drill for ${databaseId} after enqueueing`);
  // Also for a drill that was already waiting: its event may still be in the outbox.
  await flushOutbox(env, orgId);
  return { drill: drillView(await findDrill(dbOf(env.DB), orgId, waiting.id)), created: waiting.id === drillId };
}
