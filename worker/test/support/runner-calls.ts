import type { ClaimedBackupJob, ClaimedJob } from "@walwarden/verifier/wire";
import { ARTIFACT_SHA256, backupResult } from "./backup-result.js";
import { call, type Answer, type Org } from "./client.js";

/** What claim hands a runner: the wire's ClaimedJob. */
export type Claimed = ClaimedJob;
/** A claimed backup: what these helpers lease (a runner that asks for no kinds gets backups only). */
export type ClaimedBackup = ClaimedBackupJob;

/** Setup steps throw (instead of asserting) so a broken step is reported as what it was, not as a later mismatch. */
function expectStatus(a: Answer, status: number, what: string): Answer {
  if (a.status !== status) throw new Error(`${what}: expected ${status}, got ${a.status} ${JSON.stringify(a.body)}`);
  return a;
}

/** POST /v1/runner/claim for `databases` with a runner token. */
export const claim = (token: string, databases: string[]) =>
  call("POST", "/v1/runner/claim", { token, json: { version: "0.1.0", databases } });

/** A runner-protocol call on one job: heartbeat, complete or fail. */
export const onJob = (token: string, jobId: string, action: "heartbeat" | "complete" | "fail", json: unknown) =>
  call("POST", `/v1/runner/jobs/${jobId}/${action}`, { token, json });

/** The body of a heartbeat under `leaseId`. */
export const heartbeatBody = (leaseId: string) => ({ leaseId, progress: { phase: "dumping", bytes: 4096 } });
/** The body of a complete under `leaseId`, with a result measured by runner `runnerId`. */
export const completeBody = (leaseId: string, runnerId: string) => ({
  leaseId,
  artifactSha256: ARTIFACT_SHA256,
  result: backupResult(runnerId),
});
/** The body of a fail under `leaseId`. */
export const failBody = (leaseId: string, reason: string, retryable = false) => ({ leaseId, reason, retryable });

/** Queues a manual backup of a database of the org (its own by default) as its operator; the job id. */
export async function queueBackup(org: Org, databaseId = org.databaseId): Promise<string> {
  return expectStatus(
    await call("POST", `/v1/databases/${databaseId}/backups`, { token: org.operatorToken, json: {} }),
    202,
    "queue a backup",
  ).body.jobId;
}

/** Queues a backup and claims it with the org's runner: a job under a live lease. */
export async function leasedJob(org: Org, databaseId = org.databaseId): Promise<ClaimedBackup> {
  const jobId = await queueBackup(org, databaseId);
  const job = expectStatus(await claim(org.runnerToken, [databaseId]), 200, "claim").body.job as Claimed | null;
  if (job?.kind !== "backup" || job.jobId !== jobId)
    throw new Error(`claim: expected backup job ${jobId}, got ${JSON.stringify(job)}`);
  return job;
}

/** Runs one backup to completion with the org's runner; its backup exists afterwards. */
export async function completedBackup(org: Org, databaseId = org.databaseId): Promise<ClaimedBackup> {
  const job = await leasedJob(org, databaseId);
  expectStatus(
    await onJob(org.runnerToken, job.jobId, "complete", completeBody(job.leaseId, org.runnerId)),
    200,
    "complete",
  );
  return job;
}

/** Runs one backup to a permanent failure with the org's runner, with `reason`. */
export async function failedBackup(org: Org, reason: string, databaseId = org.databaseId): Promise<ClaimedBackup> {
  const job = await leasedJob(org, databaseId);
  expectStatus(await onJob(org.runnerToken, job.jobId, "fail", failBody(job.leaseId, reason)), 200, "fail");
  return job;
}
