import { canonicalBytes, type EventDataOf, err, ok, type Result, sha256, toHex } from "@walwarden/verifier";
import type {
  CompleteRefusalCode,
  PruneReportRequest,
  PruneReportResponseSchema,
  PruneTarget,
} from "@walwarden/verifier/wire";
import type { z } from "zod";
import type { Env } from "../env.js";
import { statusAllows } from "../jobs/job-machine.js";
import { flushOutbox, type OutboxEvent, outboxStatementsWhere } from "../log/outbox.js";
import { checkReport, type ReportedTarget } from "./check-report.js";
import { DAY_MS, HOUR_MS } from "./clock.js";
import { storedPolicy } from "./policy.js";

/** The answer to a prune report: how many backup.expired and backup.expiry_blocked entries it logged. */
export type PruneReportAnswer = z.infer<typeof PruneReportResponseSchema>;

/**
 * Why a report was refused: the complete refusals (`lease-lost`, `completion-mismatch`: nothing was taken
 * from this report), a report that does not fit the job's targets, or a job that is not a prune.
 */
export type PruneReportErrorCode = CompleteRefusalCode | "bad-report" | "not-a-prune";

interface JobRow {
  kind: string;
  database_id: string;
  status: string;
  lease_id: string | null;
  lease_expires_at: number | null;
  runner_id: string | null;
}

interface PruneRow {
  decided_at: number;
  policy: string;
  targets: string;
  lease_id: string | null;
  report_sha256: string | null;
  expired_count: number | null;
  blocked_count: number | null;
}

/** The outcomes that keep a backup because of what is at its key (backup.expiry_blocked). */
const BLOCKED = new Set(["locked", "legal-hold", "mismatch", "foreign"]);

/**
 * Takes a prune's report (SPEC §12), once per job: under the calling runner's live lease, naming exactly the
 * job's targets. In one D1 batch, every statement after the first fenced by the job being `completing`
 * under this lease (which only this batch makes it): the job moves to `completing`, the report is recorded,
 * `backup.expired` (once per backup, ever) and `backup.expiry_blocked` (when a backup's blocked outcome
 * changed) go into the outbox, the backups are marked (expired; or missing, never asked for again; or blocked
 * until a retry time), and the job succeeds. The same report again answers the same; another is
 * `completion-mismatch`; a refusal writes nothing.
 */
export async function acceptPruneReport(
  env: Env,
  runner: { id: string; orgId: string },
  jobId: string,
  body: PruneReportRequest,
  now: number,
): Promise<Result<PruneReportAnswer, PruneReportErrorCode>> {
  const reportSha256 = toHex(sha256(canonicalBytes(body)));
  const [job, prune] = await Promise.all([
    env.DB.prepare(
      "SELECT kind, database_id, status, lease_id, lease_expires_at, runner_id FROM jobs WHERE id = ?1 AND org_id = ?2",
    )
      .bind(jobId, runner.orgId)
      .first<JobRow>(),
    env.DB.prepare(
      `SELECT decided_at, policy, targets, lease_id, report_sha256, expired_count, blocked_count
       FROM prune_jobs WHERE job_id = ?1 AND org_id = ?2`,
    )
      .bind(jobId, runner.orgId)
      .first<PruneRow>(),
  ]);
  if (!job) return leaseLost();
  if (job.kind !== "prune" || !prune)
    return err("not-a-prune", `job ${jobId} is a ${job.kind}, not a prune: this route takes a prune's report`);
  if (prune.report_sha256 === null) {
    const live =
      job.status === "leased" &&
      job.lease_id === body.leaseId &&
      job.runner_id === runner.id &&
      (job.lease_expires_at ?? 0) >= now;
    if (!live) return leaseLost();
    const checked = checkReport(JSON.parse(prune.targets) as PruneTarget[], body.results);
    if (!checked.ok) return checked;
    await record(env, runner, jobId, job.database_id, prune, checked.value, body.leaseId, reportSha256, now);
  }
  const stored = await env.DB.prepare(
    "SELECT lease_id, report_sha256, expired_count, blocked_count FROM prune_jobs WHERE job_id = ?1 AND org_id = ?2",
  )
    .bind(jobId, runner.orgId)
    .first<Pick<PruneRow, "lease_id" | "report_sha256" | "expired_count" | "blocked_count">>();
  if (!stored?.report_sha256 || stored.lease_id !== body.leaseId || job.runner_id !== runner.id) return leaseLost();
  if (stored.report_sha256 !== reportSha256)
    return err(
      "completion-mismatch",
      "this lease already reported this prune with other results; nothing was taken from this report",
    );
  // Also for a report answered before: its events may still be in the outbox.
  await flushOutbox(env, runner.orgId);
  return ok({ expired: stored.expired_count ?? 0, blocked: stored.blocked_count ?? 0 });
}

/** Writes a checked report in one batch, fenced as acceptPruneReport says; writes nothing if the lease went. */
async function record(
  env: Env,
  runner: { id: string; orgId: string },
  jobId: string,
  databaseId: string,
  prune: PruneRow,
  reported: ReportedTarget[],
  leaseId: string,
  reportSha256: string,
  now: number,
): Promise<void> {
  const before = await env.DB.prepare(
    "SELECT id, prune_outcome FROM backups WHERE org_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
  )
    .bind(runner.orgId, JSON.stringify(reported.map((r) => r.target.backupId)))
    .all<{ id: string; prune_outcome: string | null }>();
  const lastOutcome = new Map(before.results.map((b) => [b.id, b.prune_outcome]));
  const ref = { databaseId, jobId, runnerId: runner.id };
  const event = <T extends "backup.expired" | "backup.expiry_blocked">(
    type: T,
    key: string,
    data: EventDataOf<T>,
  ): OutboxEvent => ({
    orgId: runner.orgId,
    key,
    type,
    actor: `runner:${runner.id}`,
    subject: `database:${databaseId}`,
    data,
  });
  const events: OutboxEvent[] = [];
  for (const { target: t, result: r } of reported) {
    if (r.outcome === "deleted")
      events.push(
        event("backup.expired", `backup-expired:${t.backupId}`, {
          backupId: t.backupId,
          ...ref,
          objectKey: t.artifact.key,
          versionId: t.artifact.versionId,
          artifactSha256: t.artifact.sha256,
          manifestSha256: t.manifestSha256,
          completedAt: t.completedAt,
          decidedAt: new Date(prune.decided_at).toISOString(),
          policy: storedPolicy(prune.policy),
          reason: t.reason,
          deletedKeys: r.deletedKeys,
        }),
      );
    else if (BLOCKED.has(r.outcome) && lastOutcome.get(t.backupId) !== r.outcome)
      events.push(
        event("backup.expiry_blocked", `expiry-blocked:${t.backupId}:${jobId}`, {
          backupId: t.backupId,
          ...ref,
          outcome: r.outcome as EventDataOf<"backup.expiry_blocked">["outcome"],
          retainUntil: r.retainUntil,
        }),
      );
  }
  const expired = events.filter((e) => e.type === "backup.expired").length;
  const marks = reported.map(({ target, result }) => ({
    backupId: target.backupId,
    outcome: result.outcome,
    retryAt: retryAt(result, now),
  }));
  // "This batch's first statement moved the job": only it makes the job `completing` under this lease.
  const completing = (job: string, lease: string) =>
    `EXISTS (SELECT 1 FROM jobs WHERE id = ${job} AND lease_id = ${lease} AND status = 'completing')`;
  await env.DB.batch([
    env.DB.prepare(
      `UPDATE jobs SET status = 'completing'
       WHERE id = ?1 AND org_id = ?2 AND lease_id = ?3 AND runner_id = ?4 AND kind = 'prune'
         AND ${statusAllows("recordCompletion")} AND lease_expires_at >= ?5`,
    ).bind(jobId, runner.orgId, leaseId, runner.id, now),
    env.DB.prepare(
      `UPDATE prune_jobs SET lease_id = ?2, report_sha256 = ?3, expired_count = ?4, blocked_count = ?5, reported_at = ?6
       WHERE job_id = ?1 AND report_sha256 IS NULL AND ${completing("?1", "?2")}`,
    ).bind(jobId, leaseId, reportSha256, expired, events.length - expired, now),
    ...outboxStatementsWhere(env.DB, events, now, completing("?3", "?4"), [jobId, leaseId]),
    env.DB.prepare(
      `UPDATE backups SET
         expired_at = CASE WHEN m.value ->> '$.outcome' = 'deleted' THEN ?1 ELSE expired_at END,
         expired_job_id = CASE WHEN m.value ->> '$.outcome' = 'deleted' THEN ?3 ELSE expired_job_id END,
         prune_outcome = CASE WHEN m.value ->> '$.outcome' = 'deleted' THEN prune_outcome ELSE m.value ->> '$.outcome' END,
         prune_retry_at = CASE WHEN m.value ->> '$.outcome' = 'deleted' THEN prune_retry_at ELSE m.value ->> '$.retryAt' END
       FROM json_each(?2) AS m
       WHERE backups.id = m.value ->> '$.backupId' AND backups.org_id = ?5 AND backups.expired_at IS NULL
         AND ${completing("?3", "?4")}`,
    ).bind(now, JSON.stringify(marks), jobId, leaseId, runner.orgId),
    env.DB.prepare(
      `UPDATE jobs SET status = 'succeeded', finished_at = ?1, last_error = NULL
       WHERE id = ?2 AND lease_id = ?3 AND ${statusAllows("finishCompletion")}`,
    ).bind(now, jobId, leaseId),
  ]);
}

/** When a backup kept by what is at its key may be asked for again: a lock's end, else a day on; never if missing. */
function retryAt(r: PruneReportRequest["results"][number], now: number): number | null {
  if (r.outcome === "deleted" || r.outcome === "missing") return null;
  if (r.outcome === "locked" && r.retainUntil) return Math.max(Date.parse(r.retainUntil), now + HOUR_MS);
  return now + DAY_MS;
}

function leaseLost() {
  return err(
    "lease-lost" as const,
    "this lease is not current and no report was taken under it: the job was re-queued, failed, or reported by another attempt",
  );
}
