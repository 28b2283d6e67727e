import type { AlertCondition } from "@walwarden/verifier";
import type { CountingD1 } from "../lib/d1-counter.js";
import { intervalSeconds } from "../drills/policy.js";
import { parseCron } from "../scheduling/cron.js";

/** A condition holding for a subject now, as the cron tick found it. */
export interface Finding {
  orgId: string;
  condition: AlertCondition;
  subject: string;
  /** One line for people; free text in it is already redacted (it comes from the log's copy of it). */
  summary: string;
  detail: string | null;
}

/** The thresholds the conditions use (wrangler.toml vars, each with a default). */
export interface ConditionLimits {
  /** How long after a scheduled slot a backup may still be under way before it counts as missed. */
  missedGraceMs: number;
  /** How long a runner may go without polling before it counts as silent. */
  runnerSilentMs: number;
  /** How long a job may stay leased or completing before it counts as stuck. */
  jobStuckMs: number;
}

// Summaries name instants, not ages: they change only when the facts do, so a tick rewrites few of them.
const isoMinute = (ms: number) => `${new Date(ms).toISOString().slice(0, 16)}Z`;
const clip = (text: string | null, max = 500) =>
  text === null ? null : text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** Databases whose latest concluded backup job failed for good. */
async function backupFailed(d1: CountingD1): Promise<Finding[]> {
  const rows = await d1.all<{ org_id: string; id: string; name: string; attempt: number; last_error: string | null }>(
    d1.prepare(
      `SELECT d.org_id, d.id, d.name, j.attempt, j.last_error FROM databases d
       JOIN jobs j ON j.id = (SELECT id FROM jobs WHERE org_id = d.org_id AND database_id = d.id AND kind = 'backup'
                              AND status IN ('succeeded', 'failed') ORDER BY finished_at DESC, id DESC LIMIT 1)
       WHERE d.deleted_at IS NULL AND j.status = 'failed'`,
    ),
  );
  return rows.map((r) => ({
    orgId: r.org_id,
    condition: "backup.failed",
    subject: `database:${r.id}`,
    summary: `Backups of ${r.name} failed after ${r.attempt} attempt(s)`,
    detail: clip(r.last_error),
  }));
}

/**
 * Databases whose latest scheduled slot (older than the grace period) has no completed backup since: the
 * job is still queued (no runner took it), running too long, or failed. The tick is the dead-man's switch:
 * this holds whatever the runner reports, or when it reports nothing at all.
 */
async function backupMissed(d1: CountingD1, now: number, limits: ConditionLimits): Promise<Finding[]> {
  const rows = await d1.all<{ org_id: string; id: string; name: string; slot_at: number; status: string }>(
    d1.prepare(
      `SELECT s.org_id, d.id, d.name, j.slot_at, j.status FROM schedules s
       JOIN databases d ON d.id = s.database_id AND d.deleted_at IS NULL
       JOIN jobs j ON j.id = (SELECT id FROM jobs WHERE schedule_id = s.id AND kind = 'backup' AND slot_at <= ?1
                              ORDER BY slot_at DESC LIMIT 1)
       WHERE s.enabled = 1 AND j.status != 'succeeded'
         AND NOT EXISTS (SELECT 1 FROM backups b WHERE b.org_id = s.org_id AND b.database_id = d.id AND b.completed_at >= j.slot_at)`,
      now - limits.missedGraceMs,
    ),
  );
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const r of rows) {
    if (seen.has(r.id)) continue; // one incident per database, whichever of its schedules missed
    seen.add(r.id);
    const why =
      r.status === "queued" ? "no runner has taken it" : r.status === "failed" ? "it failed" : "it has not finished";
    out.push({
      orgId: r.org_id,
      condition: "backup.missed",
      subject: `database:${r.id}`,
      summary: `The ${new Date(r.slot_at).toISOString()} backup of ${r.name} is missing: ${why}`,
      detail: null,
    });
  }
  return out;
}

/** Databases whose newest completed backup (or, with none, the schedule itself) is older than the target RPO. */
async function rpoBreached(d1: CountingD1, now: number): Promise<Finding[]> {
  const rows = await d1.all<{
    org_id: string;
    id: string;
    name: string;
    target: number;
    since: number;
    last: number | null;
  }>(
    d1.prepare(
      `SELECT s.org_id, d.id, d.name, MIN(s.target_rpo_minutes) AS target, MIN(s.created_at) AS since,
              (SELECT MAX(completed_at) FROM backups b WHERE b.org_id = s.org_id AND b.database_id = d.id) AS last
       FROM schedules s JOIN databases d ON d.id = s.database_id AND d.deleted_at IS NULL
       WHERE s.enabled = 1 GROUP BY s.org_id, d.id`,
    ),
  );
  return rows
    .filter((r) => now - (r.last ?? r.since) > r.target * 60_000)
    .map((r) => ({
      orgId: r.org_id,
      condition: "rpo.breached",
      subject: `database:${r.id}`,
      summary:
        r.last === null
          ? `${r.name} has no backup since its schedule began at ${isoMinute(r.since)} (target RPO ${r.target} min)`
          : `The newest backup of ${r.name}, at ${isoMinute(r.last)}, is older than its target RPO of ${r.target} min`,
      detail: null,
    }));
}

/** Databases whose latest concluded drill (scheduled or asked for) failed for good. */
async function drillFailed(d1: CountingD1): Promise<Finding[]> {
  const rows = await d1.all<{ org_id: string; id: string; name: string; reason: string | null }>(
    d1.prepare(
      `SELECT d.org_id, d.id, d.name, l.reason FROM databases d
       JOIN drills l ON l.id = (SELECT id FROM drills WHERE org_id = d.org_id AND database_id = d.id
                                AND status IN ('passed', 'failed') ORDER BY finished_at DESC, id DESC LIMIT 1)
       WHERE d.deleted_at IS NULL AND l.status = 'failed'`,
    ),
  );
  return rows.map((r) => ({
    orgId: r.org_id,
    condition: "drill.failed",
    subject: `database:${r.id}`,
    summary: `The latest restore drill of ${r.name} failed`,
    detail: clip(r.reason),
  }));
}

interface PolicyRow {
  org_id: string;
  id: string;
  name: string;
  cron: string;
  timezone: string;
  created_at: number;
  last_pass_at: number | null;
}

/** Enabled drill policies with their database's last passed drill. */
async function policies(d1: CountingD1): Promise<PolicyRow[]> {
  return d1.all<PolicyRow>(
    d1.prepare(
      `SELECT p.org_id, d.id, d.name, p.cron, p.timezone, p.created_at,
              (SELECT MAX(finished_at) FROM drills x WHERE x.org_id = p.org_id AND x.database_id = d.id AND x.status = 'passed') AS last_pass_at
       FROM drill_policies p JOIN databases d ON d.id = p.database_id AND d.deleted_at IS NULL
       WHERE p.enabled = 1`,
    ),
  );
}

/** drill.overdue: no passed drill within two of the policy's intervals (the restorability rule's at-risk). */
function drillOverdue(rows: PolicyRow[], now: number): Finding[] {
  const intervals = new Map<string, number | null>(); // many policies share a cron: work each one out once
  const intervalOf = (cron: string, tz: string) => {
    const key = `${tz} ${cron}`;
    if (!intervals.has(key)) {
      const parsed = parseCron(cron, tz);
      intervals.set(key, parsed.ok ? intervalSeconds(parsed.value, now) : null);
    }
    return intervals.get(key)!;
  };
  const out: Finding[] = [];
  for (const r of rows) {
    const interval = intervalOf(r.cron, r.timezone);
    if (interval === null) continue;
    if ((r.last_pass_at ?? r.created_at) < now - 2 * interval * 1000)
      out.push({
        orgId: r.org_id,
        condition: "drill.overdue",
        subject: `database:${r.id}`,
        summary:
          r.last_pass_at === null
            ? `${r.name} has never been proven restorable (its drill policy was set at ${isoMinute(r.created_at)})`
            : `${r.name} was last proven restorable at ${isoMinute(r.last_pass_at)}`,
        detail: null,
      });
  }
  return out;
}

/** Runners not revoked that have not polled (or never have) for longer than the limit. */
async function runnerSilent(d1: CountingD1, now: number, limits: ConditionLimits): Promise<Finding[]> {
  const rows = await d1.all<{ org_id: string; id: string; name: string; last_seen_at: number | null }>(
    d1.prepare(
      `SELECT org_id, id, name, last_seen_at FROM runners
       WHERE revoked_at IS NULL AND COALESCE(last_seen_at, created_at) < ?1`,
      now - limits.runnerSilentMs,
    ),
  );
  return rows.map((r) => ({
    orgId: r.org_id,
    condition: "runner.silent",
    subject: `runner:${r.id}`,
    summary:
      r.last_seen_at === null
        ? `Runner ${r.name} has never polled the API`
        : `Runner ${r.name} has not polled the API since ${isoMinute(r.last_seen_at)}`,
    detail: null,
  }));
}

/** Jobs leased or completing for longer than the limit. */
async function jobStuck(d1: CountingD1, now: number, limits: ConditionLimits): Promise<Finding[]> {
  const rows = await d1.all<{ org_id: string; id: string; kind: string; name: string | null; started_at: number }>(
    d1.prepare(
      `SELECT j.org_id, j.id, j.kind, d.name, j.started_at FROM jobs j LEFT JOIN databases d ON d.id = j.database_id
       WHERE j.status IN ('leased', 'completing') AND j.started_at < ?1`,
      now - limits.jobStuckMs,
    ),
  );
  return rows.map((r) => ({
    orgId: r.org_id,
    condition: "job.stuck",
    subject: `job:${r.id}`,
    summary: `A ${r.kind} job${r.name ? ` of ${r.name}` : ""} has been running since ${isoMinute(r.started_at)}`,
    detail: null,
  }));
}

/** Buckets whose last logged posture is worse than its reference (SPEC §12, bucket posture). */
async function bucketAtRisk(d1: CountingD1): Promise<Finding[]> {
  const rows = await d1.all<{ org_id: string; bucket: string; worsening: string }>(
    d1.prepare("SELECT org_id, bucket, worsening FROM bucket_postures WHERE worsening <> '[]'"),
  );
  return rows.map((r) => ({
    orgId: r.org_id,
    condition: "bucket.at_risk",
    subject: `bucket:${r.bucket}`,
    summary: clip(
      `Bucket ${r.bucket} is less protected than before: ${(JSON.parse(r.worsening) as string[]).join("; ")}`,
    )!,
    detail: null,
  }));
}

/** Every state condition that holds now, across every org (a handful of set-wise statements). */
export async function findConditions(d1: CountingD1, now: number, limits: ConditionLimits): Promise<Finding[]> {
  const [failed, missed, rpo, drillsFailed, drillRows, silent, stuck, buckets] = await Promise.all([
    backupFailed(d1),
    backupMissed(d1, now, limits),
    rpoBreached(d1, now),
    drillFailed(d1),
    policies(d1),
    runnerSilent(d1, now, limits),
    jobStuck(d1, now, limits),
    bucketAtRisk(d1),
  ]);
  return [
    ...failed,
    ...missed,
    ...rpo,
    ...drillsFailed,
    ...drillOverdue(drillRows, now),
    ...silent,
    ...stuck,
    ...buckets,
  ];
}
