import type { DsseEnvelope, EventDataOf, EventType } from "@walwarden/verifier";
import type { CompleteResponse } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { appendToLog } from "../ledger/client.js";
import type { CountingD1 } from "../lib/d1-counter.js";
import { flushOutbox } from "../log/outbox.js";
import { statusAllows } from "./job-machine.js";
import { injectFault } from "./test-faults.js";

/** The signed manifest, its log entry, the entry's inclusion proof and the checkpoint: what the runner writes next to the dump (the wire's CompleteResponse). */
export type Completed = CompleteResponse;

/** A job_completions row as D1 returns it. */
export interface CompletionRow {
  job_id: string;
  org_id: string;
  kind: "backup";
  lease_id: string;
  attempt: number;
  runner_id: string;
  request_sha256: string;
  envelope: string;
  log_key: string;
  event: string;
  started_at: number;
  completed_at: number;
  log_seq: number | null;
  created_at: number;
  finished_at: number | null;
}

/** The job's recorded completion, if any. */
export async function completionOf(env: Env, orgId: string, jobId: string): Promise<CompletionRow | null> {
  return env.DB.prepare("SELECT * FROM job_completions WHERE job_id = ?1 AND org_id = ?2")
    .bind(jobId, orgId)
    .first<CompletionRow>();
}

/**
 * Finishes a recorded completion, whatever was done of it before: the org's earlier events are logged
 * first, then the completion's own event under its key (the Ledger answers the entry already logged,
 * if it was), then the job's and the backup's rows (statements that change nothing the second time).
 * Returns the stored envelope with the entry and a proof in the current tree.
 */
export async function finishCompletion(env: Env, c: CompletionRow, now: number): Promise<Completed> {
  const event = JSON.parse(c.event) as { type: EventType; actor: string; subject: string; data: unknown };
  const data = event.data as EventDataOf<"backup.completed">;
  const at = { once: c.job_id, subject: data.artifact.uri };
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
      env.DB.prepare(
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
        entry.seq,
        c.started_at,
        c.completed_at,
        c.completed_at - c.started_at,
      ),
      env.DB.prepare(
        "UPDATE job_completions SET log_seq = ?1, finished_at = ?2 WHERE job_id = ?3 AND finished_at IS NULL",
      ).bind(entry.seq, now, c.job_id),
    ]);
  }
  return {
    envelope: JSON.parse(c.envelope) as DsseEnvelope,
    entry: entry.entry,
    proof: entry.proof,
    checkpoint: appended.checkpoint,
  };
}

/** Stalled completions finished per cron tick (each costs a few subrequests). */
const STALLED_PER_TICK = 50;

/**
 * Finishes completions whose runner went away (the job is `completing` and its lease ran out): the
 * cron tick's part of "a recorded completion is never undone". Returns how many it finished.
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
