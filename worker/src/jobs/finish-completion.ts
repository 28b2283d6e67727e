import type { DrillPredicate, EventDataOf, EventType, JobKind } from "@walwarden/verifier";
import type { Env } from "../env.js";
import { appendToLog } from "../ledger/client.js";
import type { AppendedEntry } from "../ledger/ledger.js";
import type { CountingD1 } from "../lib/d1-counter.js";
import { safeText } from "../log/free-text.js";
import { flushOutbox } from "../log/outbox.js";
import { storedReceipt } from "./drill-job.js";
import { statusAllows } from "./job-machine.js";
import { injectFault } from "./test-faults.js";

/** A job_completions row as D1 returns it. */
export interface CompletionRow {
  job_id: string;
  org_id: string;
  kind: JobKind;
  lease_id: string;
  attempt: number;
  runner_id: string;
  /** A backup: SHA-256 of the complete request's JCS bytes. A drill: of the receipt's (its receiptSha256). */
  request_sha256: string;
  /** A backup: the manifest the Worker signed. A drill: the receipt the runner signed. JCS text. */
  envelope: string;
  log_key: string;
  event: string;
  started_at: number;
  completed_at: number;
  log_seq: number | null;
  created_at: number;
  finished_at: number | null;
}

/** A completion to record: what the job's answer will be, fixed before anything is logged. */
export interface CompletionRecord {
  jobId: string;
  orgId: string;
  kind: JobKind;
  leaseId: string;
  runnerId: string;
  requestSha256: string;
  envelope: string;
  logKey: string;
  /** The log event (type, actor, subject, data), JSON. */
  event: string;
  startedAt: number;
  completedAt: number;
  now: number;
}

/** A finished completion: its log entry (with a proof in the current tree) and that tree's checkpoint. */
export interface FinishedCompletion {
  entry: AppendedEntry;
  checkpoint: string;
}

/** The job's recorded completion, if any. */
export async function completionOf(env: Env, orgId: string, jobId: string): Promise<CompletionRow | null> {
  return env.DB.prepare("SELECT * FROM job_completions WHERE job_id = ?1 AND org_id = ?2")
    .bind(jobId, orgId)
    .first<CompletionRow>();
}

/**
 * Records the completion and moves the job to `completing`, in one D1 transaction and only while the
 * lease is live and the job is of the record's kind; returns the completion now stored (ours, or one
 * recorded first by a concurrent call).
 */
export async function recordCompletion(env: Env, c: CompletionRecord): Promise<CompletionRow | null> {
  const [, , stored] = await env.DB.batch<CompletionRow>([
    env.DB.prepare(
      `INSERT OR IGNORE INTO job_completions (job_id, org_id, kind, lease_id, attempt, runner_id, request_sha256, envelope, log_key, event, started_at, completed_at, created_at)
       SELECT id, org_id, kind, lease_id, attempt, runner_id, ?5, ?6, ?7, ?8, ?9, ?10, ?11 FROM jobs
       WHERE id = ?1 AND org_id = ?2 AND lease_id = ?3 AND runner_id = ?4 AND kind = ?12 AND ${statusAllows("recordCompletion")}
         AND lease_expires_at >= ?11`,
    ).bind(
      c.jobId,
      c.orgId,
      c.leaseId,
      c.runnerId,
      c.requestSha256,
      c.envelope,
      c.logKey,
      c.event,
      c.startedAt,
      c.completedAt,
      c.now,
      c.kind,
    ),
    env.DB.prepare(
      `UPDATE jobs SET status = 'completing'
       WHERE id = ?1 AND lease_id = ?2 AND ${statusAllows("recordCompletion")}
         AND EXISTS (SELECT 1 FROM job_completions WHERE job_id = ?1 AND lease_id = ?2)`,
    ).bind(c.jobId, c.leaseId),
    env.DB.prepare("SELECT * FROM job_completions WHERE job_id = ?1 AND org_id = ?2").bind(c.jobId, c.orgId),
  ]);
  return stored?.results[0] ?? null;
}

type StoredEvent = { type: EventType; actor: string; subject: string; data: unknown };

/**
 * Finishes a recorded completion, whatever was done of it before: the org's earlier events are logged
 * first, then the completion's own event under its key (the Ledger answers the entry already logged,
 * if it was), then the job's row and the row of what it made (the backup, or the drill's outcome), with
 * statements that change nothing the second time. Returns the entry with a proof in the current tree.
 */
export async function finishCompletion(env: Env, c: CompletionRow, now: number): Promise<FinishedCompletion> {
  const event = JSON.parse(c.event) as StoredEvent;
  const receipt = c.kind === "drill" ? storedReceipt(c.envelope) : undefined;
  const at = {
    once: c.job_id,
    subject: receipt?.artifactUri ?? (event.data as EventDataOf<"backup.completed">).artifact.uri,
  };
  if (injectFault(env, "complete-log-append-once", at))
    throw new Error("test fault complete-log-append-once: the Worker stopped between the record and the log append");
  await flushOutbox(env, c.org_id);
  const appended = await appendToLog(env, c.org_id, [{ key: c.log_key, ...event }]);
  const entry = appended.entries[0]!;
  if (c.finished_at === null) {
    if (injectFault(env, "complete-row-write-once", at))
      throw new Error("test fault complete-row-write-once: the row write failed after the log append");
    await env.DB.batch([
      env.DB.prepare(
        `UPDATE jobs SET status = 'succeeded', finished_at = ?1, last_error = NULL
         WHERE id = ?2 AND lease_id = ?3 AND ${statusAllows("finishCompletion")}`,
      ).bind(now, c.job_id, c.lease_id),
      receipt ? drillOutcome(env, c, event, receipt.predicate) : backupRow(env, c, event, entry.seq),
      env.DB.prepare(
        "UPDATE job_completions SET log_seq = ?1, finished_at = ?2 WHERE job_id = ?3 AND finished_at IS NULL",
      ).bind(entry.seq, now, c.job_id),
    ]);
  }
  return { entry, checkpoint: appended.checkpoint };
}

/** The backup a completed backup job made (once: INSERT OR IGNORE). */
function backupRow(env: Env, c: CompletionRow, event: StoredEvent, seq: number): D1PreparedStatement {
  const data = event.data as EventDataOf<"backup.completed">;
  return env.DB.prepare(
    `INSERT OR IGNORE INTO backups (id, org_id, database_id, job_id, runner_id, artifact_uri, sha256, size_bytes, manifest_sha256, envelope, log_seq, started_at, completed_at, duration_ms)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)`,
  ).bind(
    data.backupId,
    c.org_id,
    data.databaseId,
    c.job_id,
    c.runner_id,
    data.artifact.uri,
    data.artifact.sha256,
    data.artifact.sizeBytes,
    data.manifestSha256,
    c.envelope,
    seq,
    c.started_at,
    c.completed_at,
    c.completed_at - c.started_at,
  );
}

/**
 * A drill's outcome from its accepted receipt (once: only while the drill has no receipt): passed or
 * failed, the RTO, the tables that matched, the failure's reason (redacted), the receipt, its SHA-256 and
 * the runner key it verified with. Finished at the time the Worker accepted the receipt.
 */
function drillOutcome(env: Env, c: CompletionRow, event: StoredEvent, p: DrillPredicate): D1PreparedStatement {
  const data = event.data as EventDataOf<"drill.completed"> | EventDataOf<"drill.failed">;
  const matched = p.tables.filter((t) => t.actualRows === t.expectedRows).length;
  return env.DB.prepare(
    `UPDATE drills SET status = ?1, rto_ms = ?2, tables_matched = ?3, tables_total = ?4, reason = ?5, receipt = ?6,
            receipt_sha256 = ?7, runner_vkey = ?8, runner_id = ?9, finished_at = ?10
     WHERE id = ?11 AND org_id = ?12 AND receipt IS NULL`,
  ).bind(
    p.outcome,
    p.rto.ms,
    matched,
    p.tables.length,
    p.failure ? safeText(p.failure.reason, 4000) : null,
    c.envelope,
    data.receiptSha256,
    data.runnerVkey,
    c.runner_id,
    c.created_at,
    data.drillId,
    c.org_id,
  );
}

/** Stalled completions finished per cron tick (each costs a few subrequests). */
const STALLED_PER_TICK = 50;

/**
 * Finishes completions whose runner went away (the job is `completing` and its lease ran out), backups
 * and drills alike: the cron tick's part of "a recorded completion is never undone". Returns how many it
 * finished.
 */
export async function finishStalledCompletions(env: Env, d1: CountingD1, now: number): Promise<number> {
  const stalled = await d1.all<CompletionRow>(
    d1.prepare(
      `SELECT c.* FROM job_completions c JOIN jobs j ON j.id = c.job_id
       WHERE ${statusAllows("finishCompletion", "j.status")} AND j.lease_expires_at < ?1
       ORDER BY j.lease_expires_at LIMIT ${STALLED_PER_TICK}`,
      now,
    ),
  );
  let finished = 0;
  for (const c of stalled) {
    try {
      await finishCompletion(env, c, now);
      finished++;
    } catch (e) {
      // Left for the next tick (or the runner's retry); one failure must not stop the others.
      console.error("finishing a stalled completion failed", c.job_id, e instanceof Error ? e.message : String(e));
    }
  }
  return finished;
}
