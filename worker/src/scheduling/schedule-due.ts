import { newId } from "../lib/ids.js";
import type { CountingD1 } from "../lib/d1-counter.js";
import { outboxStatements, type OutboxEvent } from "../log/outbox.js";
import { nextSlotAfter, parseCron } from "./cron.js";

/** Due schedules read per query. */
const PAGE = 1000;
/** Rows carried by one write statement (as one JSON parameter). */
const PER_STATEMENT = 250;

/** The deterministic id of a schedule's job for one slot: a tick that runs twice inserts nothing new. */
export function scheduledJobId(scheduleId: string, slotMs: number): string {
  return `job.${scheduleId}.${new Date(slotMs)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z")}`;
}

interface DueRow {
  id: string;
  org_id: string;
  database_id: string;
  cron: string;
  timezone: string;
  next_run_at: number;
}

/** What one scheduling pass did. */
export interface ScheduleStats {
  due: number;
  queued: number;
  invalid: number;
}

/**
 * Queues a job for every due schedule and advances its next_run_at, in batches that each write up to 250
 * schedules with three statements. A schedule that missed several slots (the Worker was down) gets one
 * job, for its first missed slot, and moves on to its next future slot: a pg_dump is a full snapshot, so
 * queueing every missed slot would run the same backup several times over. Idempotent: the job id is
 * derived from schedule and slot, and next_run_at only moves if nobody moved it first.
 */
export async function scheduleDue(d1: CountingD1, now: number, maxAttempts: number): Promise<ScheduleStats> {
  const stats: ScheduleStats = { due: 0, queued: 0, invalid: 0 };
  let after = "";
  for (;;) {
    const due = await d1.all<DueRow>(
      d1.prepare(
        "SELECT id, org_id, database_id, cron, timezone, next_run_at FROM schedules WHERE enabled = 1 AND next_run_at <= ? AND id > ? ORDER BY id LIMIT ?",
        now,
        after,
        PAGE,
      ),
    );
    if (due.length === 0) break;
    after = due.at(-1)!.id;
    stats.due += due.length;
    for (let i = 0; i < due.length; i += PER_STATEMENT) {
      const jobs: {
        id: string;
        orgId: string;
        databaseId: string;
        scheduleId: string;
        slot: number;
        backupId: string;
      }[] = [];
      const moves: { id: string; prev: number; next: number | null }[] = [];
      const events: OutboxEvent[] = [];
      for (const s of due.slice(i, i + PER_STATEMENT)) {
        const cron = parseCron(s.cron, s.timezone);
        const next = cron.ok ? nextSlotAfter(cron.value, now) : null;
        moves.push({ id: s.id, prev: s.next_run_at, next });
        if (!cron.ok) {
          stats.invalid++;
          continue;
        }
        const jobId = scheduledJobId(s.id, s.next_run_at);
        jobs.push({
          id: jobId,
          orgId: s.org_id,
          databaseId: s.database_id,
          scheduleId: s.id,
          slot: s.next_run_at,
          backupId: newId("bkp", now),
        });
        events.push({
          orgId: s.org_id,
          key: `scheduled:${jobId}`,
          type: "backup.scheduled",
          actor: "system:cron",
          subject: `database:${s.database_id}`,
          data: { jobId, scheduleId: s.id, databaseId: s.database_id, slot: new Date(s.next_run_at).toISOString() },
        });
      }
      await d1.batch([
        d1.prepare(
          `INSERT OR IGNORE INTO jobs (id, org_id, database_id, schedule_id, slot_at, "trigger", status, attempt, max_attempts, backup_id, created_at)
           SELECT value ->> '$.id', value ->> '$.orgId', value ->> '$.databaseId', value ->> '$.scheduleId', value ->> '$.slot',
                  'schedule', 'queued', 0, ?1, value ->> '$.backupId', ?2
           FROM json_each(?3)`,
          maxAttempts,
          now,
          JSON.stringify(jobs),
        ),
        ...outboxStatements(d1.db, events, now),
        d1.prepare(
          `UPDATE schedules SET next_run_at = j.value ->> '$.next', updated_at = ?1
           FROM json_each(?2) AS j
           WHERE schedules.id = j.value ->> '$.id' AND schedules.next_run_at = j.value ->> '$.prev'`,
          now,
          JSON.stringify(moves),
        ),
      ]);
      stats.queued += jobs.length;
    }
    if (due.length < PAGE) break;
  }
  return stats;
}
