import { PruneTargetSchema, type PruneTarget } from "@walwarden/verifier/wire";
import type { CountingD1 } from "../lib/d1-counter.js";
import { DAY_MS, HOUR_MS } from "./clock.js";
import {
  type DecidedDatabase,
  databasesParam,
  LIVE_BACKUPS_SQL,
  type LiveBackupRow,
  liveBackupsByDatabase,
} from "./inputs.js";
import { storedPolicy } from "./policy.js";
import { expiringNow, pruneTargetOf, type TargetSource } from "./targets.js";

/** Databases decided per tick at most (oldest decide_after first): the rest wait for the next tick. */
const DECIDED_PER_TICK = 500;
/** Databases per read of their backups and per write batch. */
const PER_STATEMENT = 100;
/** Manifests read per statement (each is a few kilobytes of JCS, more for a database of many tables). */
const MANIFESTS_PER_STATEMENT = 100;
/** Targets queued per tick at most: what is left is queued by the next ticks (the runners delete slower). */
const TARGETS_PER_TICK = 2000;
/**
 * UTF-8 bytes of the JSON parameter of one write statement at most: D1 refuses a string (a bound parameter
 * included) over 2,000,000 bytes, and a prune of 100 targets with long keys is a few hundred kilobytes.
 */
const JSON_PER_STATEMENT = 1_000_000;
const utf8Length = (text: string) => new TextEncoder().encode(text).length;
/** How long a database whose decision queued nothing waits before it is decided again. */
export const DECIDE_AGAIN_MS = HOUR_MS;

/** What one retention pass did. */
export interface PruneScheduleStats {
  /** Databases whose policy was decided. */
  retentionDecided: number;
  /** Prune jobs queued, and the backups they are to delete. */
  prunesQueued: number;
  pruneTargets: number;
}

interface DuePolicy {
  database_id: string;
  org_id: string;
  policy: string;
  updated_at: number;
}

/** A prune job to insert, with the decision it carries out. */
interface QueuedPrune {
  jobId: string;
  orgId: string;
  databaseId: string;
  /** The first target's backup (the jobs row's backup_id). */
  backupId: string;
  policy: string;
  policyUpdatedAt: number;
  targets: PruneTarget[];
}

/** The deterministic id of a database's prune queued in the minute of `now`: a tick run twice inserts nothing new. */
export function pruneJobId(databaseId: string, now: number): string {
  const minute = new Date(Math.floor(now / 60_000) * 60_000)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  return `job_prune.${databaseId}.${minute}`;
}

/**
 * The cron tick's retention step (SPEC §12): decides every database whose policy is due and that has no prune
 * waiting or running, and queues one prune job for each with backups to delete, at most 2,000 targets a tick.
 * Set-wise: per 100 databases one statement reads their live backups, the manifests of their targets are read
 * 100 a statement, and one batch writes the jobs and their prune_jobs rows (a statement pair per megabyte of
 * targets) and the next decision times. Queuing logs nothing.
 */
export async function queueDuePrunes(d1: CountingD1, now: number, maxAttempts: number): Promise<PruneScheduleStats> {
  const stats: PruneScheduleStats = { retentionDecided: 0, prunesQueued: 0, pruneTargets: 0 };
  const due = await d1.all<DuePolicy>(
    d1.prepare(
      `SELECT p.database_id, p.org_id, p.policy, p.updated_at FROM retention_policies p
       JOIN databases d ON d.id = p.database_id AND d.org_id = p.org_id AND d.deleted_at IS NULL
       WHERE p.decide_after <= ?1
         AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.database_id = p.database_id AND j.kind = 'prune'
                           AND j.status IN ('queued', 'leased', 'completing'))
       ORDER BY p.decide_after, p.database_id LIMIT ${DECIDED_PER_TICK}`,
      now,
    ),
  );
  let budget = TARGETS_PER_TICK;
  for (let i = 0; i < due.length && budget > 0; i += PER_STATEMENT) {
    const chunk = due.slice(i, i + PER_STATEMENT);
    const dbs: DecidedDatabase[] = chunk.map((p) => ({ orgId: p.org_id, databaseId: p.database_id }));
    const live = liveBackupsByDatabase(
      await d1.all<LiveBackupRow>(d1.prepare(LIVE_BACKUPS_SQL, databasesParam(dbs))),
      now,
    );
    const chosen: { policy: DuePolicy; targets: { backupId: string; at: number }[] }[] = [];
    const idle: { id: string; next: number }[] = [];
    let decided = 0;
    for (const p of chunk) {
      const expiring = expiringNow(live.get(p.database_id) ?? [], storedPolicy(p.policy), now);
      if (!expiring.ok) console.error("retention: cannot decide", p.database_id, expiring.message);
      const targets = expiring.ok ? expiring.value.targets : [];
      // Past the tick's budget the database stays due, first in line for the next tick.
      if (targets.length > budget) break;
      decided++;
      budget -= targets.length;
      if (targets.length > 0) chosen.push({ policy: p, targets });
      else idle.push({ id: p.database_id, next: now + (expiring.ok ? DECIDE_AGAIN_MS : DAY_MS) });
    }
    const sources = await manifestsOf(
      d1,
      chosen.flatMap((c) => c.targets.map((t) => t.backupId)),
    );
    const queued: QueuedPrune[] = [];
    for (const { policy: p, targets } of chosen) {
      const built: PruneTarget[] = [];
      for (const t of targets) {
        const source = sources.get(t.backupId);
        const target = source ? PruneTargetSchema.safeParse(pruneTargetOf(source, t.at)) : undefined;
        // A manifest the wire cannot carry (an ETag past its bound) is never asked for: kept, not lost.
        if (target?.success) built.push(target.data);
        else console.error("retention: backup not a prune target", t.backupId, target?.error.message ?? "no manifest");
      }
      if (built.length === 0) {
        idle.push({ id: p.database_id, next: now + DECIDE_AGAIN_MS });
        continue;
      }
      queued.push({
        jobId: pruneJobId(p.database_id, now),
        orgId: p.org_id,
        databaseId: p.database_id,
        backupId: built[0]!.backupId,
        policy: p.policy,
        policyUpdatedAt: p.updated_at,
        targets: built,
      });
    }
    await d1.batch(writes(d1, queued, idle, now, maxAttempts));
    stats.retentionDecided += decided;
    stats.prunesQueued += queued.length;
    stats.pruneTargets += queued.reduce((n, q) => n + q.targets.length, 0);
  }
  return stats;
}

/** The stored manifests of backups, 200 a statement. */
async function manifestsOf(d1: CountingD1, ids: string[]): Promise<Map<string, TargetSource>> {
  const out = new Map<string, TargetSource>();
  for (let i = 0; i < ids.length; i += MANIFESTS_PER_STATEMENT)
    for (const r of await d1.all<TargetSource>(
      d1.prepare(
        "SELECT id, envelope, manifest_sha256 FROM backups WHERE id IN (SELECT value FROM json_each(?1))",
        JSON.stringify(ids.slice(i, i + MANIFESTS_PER_STATEMENT)),
      ),
    ))
      out.set(r.id, r);
  return out;
}

/** The queued prunes as JSON parameters of at most JSON_PER_STATEMENT bytes each. */
function rowParams(queued: QueuedPrune[]): string[] {
  const out: string[] = [];
  let part: string[] = [];
  let size = 0;
  for (const q of queued) {
    const row = JSON.stringify({ ...q, targets: JSON.stringify(q.targets) });
    const bytes = utf8Length(row);
    if (part.length > 0 && size + bytes > JSON_PER_STATEMENT) {
      out.push(`[${part.join(",")}]`);
      part = [];
      size = 0;
    }
    part.push(row);
    size += bytes + 1;
  }
  if (part.length > 0) out.push(`[${part.join(",")}]`);
  return out;
}

/**
 * One batch: the prune jobs (each only while its policy row still has the updated_at it was decided with,
 * and the database is live), their prune_jobs rows (only where the job row is there and is a prune of that
 * database), and the next decision time of the databases with nothing to prune.
 */
function writes(
  d1: CountingD1,
  queued: QueuedPrune[],
  idle: { id: string; next: number }[],
  now: number,
  maxAttempts: number,
): D1PreparedStatement[] {
  return [
    ...rowParams(queued).flatMap((rows) => [
      d1.prepare(
        `INSERT OR IGNORE INTO jobs (id, org_id, database_id, schedule_id, slot_at, "trigger", kind, status, attempt, max_attempts, backup_id, created_at)
             SELECT q.value ->> '$.jobId', q.value ->> '$.orgId', q.value ->> '$.databaseId', NULL, ?1, 'schedule', 'prune',
                    'queued', 0, ?2, q.value ->> '$.backupId', ?1
             FROM json_each(?3) AS q
             WHERE EXISTS (SELECT 1 FROM retention_policies p JOIN databases d ON d.id = p.database_id AND d.deleted_at IS NULL
                           WHERE p.database_id = q.value ->> '$.databaseId' AND p.org_id = q.value ->> '$.orgId'
                             AND p.updated_at = q.value ->> '$.policyUpdatedAt')`,
        now,
        maxAttempts,
        rows,
      ),
      d1.prepare(
        `INSERT OR IGNORE INTO prune_jobs (job_id, org_id, database_id, decided_at, policy, targets, created_at)
             SELECT q.value ->> '$.jobId', q.value ->> '$.orgId', q.value ->> '$.databaseId', ?1, q.value ->> '$.policy',
                    q.value ->> '$.targets', ?1
             FROM json_each(?2) AS q
             WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.id = q.value ->> '$.jobId' AND j.kind = 'prune'
                             AND j.database_id = q.value ->> '$.databaseId' AND j.created_at = ?1)`,
        now,
        rows,
      ),
    ]),
    ...(idle.length === 0
      ? []
      : [
          d1.prepare(
            `UPDATE retention_policies SET decide_after = m.value ->> '$.next'
             FROM json_each(?1) AS m WHERE retention_policies.database_id = m.value ->> '$.id'`,
            JSON.stringify(idle),
          ),
        ]),
  ];
}
