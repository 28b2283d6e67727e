// Completing a job is idempotent per (job, lease), and a recorded completion is never undone: the same
// body always gets the same signed answer, another body gets a 409 and nothing is signed, and neither
// lease expiry nor fail can take a completing job back to the queue. Faults inside the Worker (a crash
// between the record and the log append, a row write failing after it) are injected with the test-only
// TEST_FAULTS hook on an env passed to the job code; everything else is the real Worker in workerd.
import { env } from "cloudflare:test";
import { canonicalBytes, sha256, toHex, verifyManifest } from "@walwarden/verifier";
import { CompleteRequestSchema } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import { completeJob } from "../src/jobs/complete.js";
import { ledgerOf } from "../src/ledger/client.js";
import { runCronTick } from "../src/scheduling/cron-tick.js";
import { ARTIFACT_SHA256, backupResult } from "./support/backup-result.js";
import { call, makeOrg, type Org } from "./support/client.js";
import { expectIncluded, logEntries, publishedPolicy } from "./support/log-checks.js";
import { claim, completeBody, failBody, heartbeatBody, leasedJob, onJob, queueBackup } from "./support/runner-calls.js";

const MINUTE = 60_000;
const OTHER_SHA256 = "f".repeat(64);

/** The org's log as parsed entries. */
const entries = async (org: Org) =>
  (await logEntries(org.viewerToken)).map((e) => JSON.parse(e) as { type: string; data: Record<string, unknown> });
/** The Ledger's tree size (the original log, not D1's copy). */
const treeSize = async (org: Org) => {
  const r = await ledgerOf(env, org.orgId).checkpoint(org.orgId);
  if (!r.ok) throw new Error(r.message);
  return r.value.treeSize;
};
const completedEntries = async (org: Org, jobId: string) =>
  (await entries(org)).filter((e) => e.type === "backup.completed" && e.data.jobId === jobId);
const jobOf = async (org: Org, jobId: string) =>
  (await call("GET", `/v1/jobs/${jobId}`, { token: org.viewerToken })).body;
const backupsOf = async (org: Org) => (await call("GET", "/v1/backups", { token: org.viewerToken })).body.items;

/** complete called on the Worker's job code directly, with a test fault switched on. */
async function completeWithFault(org: Org, jobId: string, body: unknown, fault: string): Promise<unknown> {
  const faulty = { ...env, TEST_FAULTS: fault };
  return completeJob(
    faulty,
    { id: org.runnerId, orgId: org.orgId },
    jobId,
    CompleteRequestSchema.parse(body),
    Date.now(),
  ).then(
    () => "completed",
    (e: Error) => e.message,
  );
}

describe("complete is idempotent per (job, lease)", () => {
  it("the same body twice: the same manifest bytes and entry, a proof that verifies, one log entry", async () => {
    const org = await makeOrg();
    const job = await leasedJob(org);
    const body = completeBody(job.leaseId, org.runnerId);
    const one = await onJob(org.runnerToken, job.jobId, "complete", body);
    const size = await treeSize(org);
    const two = await onJob(org.runnerToken, job.jobId, "complete", body);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(canonicalBytes(two.body.envelope)).toEqual(canonicalBytes(one.body.envelope));
    expect(two.body.entry).toBe(one.body.entry);
    expectIncluded(two.body.entry, two.body.proof, two.body.checkpoint, await publishedPolicy(), org.orgId);
    expect(await treeSize(org)).toBe(size);
    expect(await completedEntries(org, job.jobId)).toHaveLength(1);
    expect(await backupsOf(org)).toHaveLength(1);
  });

  it("another body under the same lease is 409 completion-mismatch and nothing is signed or logged", async () => {
    const org = await makeOrg();
    const job = await leasedJob(org);
    const first = await onJob(org.runnerToken, job.jobId, "complete", completeBody(job.leaseId, org.runnerId));
    expect(first.status).toBe(200);
    const size = await treeSize(org);
    const other = await onJob(org.runnerToken, job.jobId, "complete", {
      ...completeBody(job.leaseId, org.runnerId),
      artifactSha256: OTHER_SHA256,
      result: backupResult(org.runnerId, { sizeBytes: 42 }),
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("completion-mismatch");
    expect(other.body.envelope).toBeUndefined();
    expect(await treeSize(org)).toBe(size);
    const logged = await completedEntries(org, job.jobId);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.data.artifact).toMatchObject({ sha256: ARTIFACT_SHA256, sizeBytes: 123_456_789 });
    const backups = await backupsOf(org);
    expect(backups.map((b: { sha256: string; sizeBytes: number }) => [b.sha256, b.sizeBytes])).toEqual([
      [ARTIFACT_SHA256, 123_456_789],
    ]);
    // The first body still gets its answer.
    const again = await onJob(org.runnerToken, job.jobId, "complete", completeBody(job.leaseId, org.runnerId));
    expect(again.status).toBe(200);
    expect(again.body.entry).toBe(first.body.entry);
  });

  it("a completion differing only in a measurement (completedAt) is refused too: the digest covers the whole body", async () => {
    const org = await makeOrg();
    const job = await leasedJob(org);
    expect((await onJob(org.runnerToken, job.jobId, "complete", completeBody(job.leaseId, org.runnerId))).status).toBe(
      200,
    );
    const r = await onJob(org.runnerToken, job.jobId, "complete", {
      ...completeBody(job.leaseId, org.runnerId),
      result: backupResult(org.runnerId, { completedAt: "2026-11-24T03:01:31.000Z" }),
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("completion-mismatch");
  });

  it("a lease of an earlier attempt is refused with lease-lost once another attempt completed", async () => {
    const org = await makeOrg();
    const jobId = await queueBackup(org);
    const first = (await claim(org.runnerToken, [org.databaseId])).body.job;
    await runCronTick(env, Date.now() + 10 * MINUTE);
    const second = (await claim(org.runnerToken, [org.databaseId])).body.job;
    expect((await onJob(org.runnerToken, jobId, "complete", completeBody(second.leaseId, org.runnerId))).status).toBe(
      200,
    );
    const size = await treeSize(org);
    const stale = await onJob(org.runnerToken, jobId, "complete", completeBody(first.leaseId, org.runnerId));
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("lease-lost");
    expect(await treeSize(org)).toBe(size);
    expect(await completedEntries(org, jobId)).toHaveLength(1);
  });

  it("an expired lease that was never completed is refused with lease-lost, before and after the sweep", async () => {
    const org = await makeOrg();
    const job = await leasedJob(org);
    const body = CompleteRequestSchema.parse(completeBody(job.leaseId, org.runnerId));
    const late = await completeJob(
      env,
      { id: org.runnerId, orgId: org.orgId },
      job.jobId,
      body,
      Date.now() + 10 * MINUTE,
    );
    expect(late.ok || late.code).toBe("lease-lost");
    await runCronTick(env, Date.now() + 10 * MINUTE);
    expect((await jobOf(org, job.jobId)).status).toBe("queued");
    const r = await onJob(org.runnerToken, job.jobId, "complete", completeBody(job.leaseId, org.runnerId));
    expect(r.body.error.code).toBe("lease-lost");
    expect(await completedEntries(org, job.jobId)).toHaveLength(0);
  });
});

describe("completing twice (issue 13, item 2)", () => {
  it("another artifactSha256 and sizeBytes for a completed job: 409, no manifest, the log keeps the first", async () => {
    const org = await makeOrg();
    const job = await leasedJob(org);
    const first = await onJob(org.runnerToken, job.jobId, "complete", completeBody(job.leaseId, org.runnerId));
    expect((await jobOf(org, job.jobId)).status).toBe("succeeded");
    const size = await treeSize(org);
    const second = await onJob(org.runnerToken, job.jobId, "complete", {
      leaseId: job.leaseId,
      artifactSha256: OTHER_SHA256,
      result: backupResult(org.runnerId, { sizeBytes: 7 }),
    });
    expect(second.status).toBe(409);
    expect(second.body).toEqual({ error: { code: "completion-mismatch", message: expect.any(String) } });
    expect(await treeSize(org)).toBe(size);
    const logged = await completedEntries(org, job.jobId);
    expect(logged).toHaveLength(1);
    const manifestSha256 = toHex(sha256(canonicalBytes(first.body.envelope)));
    expect(logged[0]!.data.manifestSha256).toBe(manifestSha256);
    const detail = (await call("GET", `/v1/backups/${job.backupId}`, { token: org.viewerToken })).body;
    expect(canonicalBytes(detail.envelope)).toEqual(canonicalBytes(first.body.envelope));
    expect(verifyManifest(first.body.envelope, (await publishedPolicy()).manifestKeys, ARTIFACT_SHA256).ok).toBe(true);
  });
});

describe("a recorded completion is never undone", () => {
  it("the row write failing after the log append: the job stays completing, the retry gets the same answer and finishes", async () => {
    const org = await makeOrg();
    const job = await leasedJob(org);
    const body = completeBody(job.leaseId, org.runnerId);
    expect(await completeWithFault(org, job.jobId, body, "complete-row-write-once")).toMatch(/test fault/);
    expect((await jobOf(org, job.jobId)).status).toBe("completing");
    const logged = await completedEntries(org, job.jobId);
    expect(logged).toHaveLength(1);
    expect(await backupsOf(org)).toHaveLength(0);
    // The runner keeps its lease meanwhile: heartbeats are accepted, fail is not.
    expect((await onJob(org.runnerToken, job.jobId, "heartbeat", heartbeatBody(job.leaseId))).status).toBe(200);
    const fail = await onJob(org.runnerToken, job.jobId, "fail", failBody(job.leaseId, "gave up", true));
    expect(fail.status).toBe(409);

    const retry = await onJob(org.runnerToken, job.jobId, "complete", body);
    expect(retry.status).toBe(200);
    expect(JSON.parse(retry.body.entry)).toEqual(logged[0]);
    expect((await jobOf(org, job.jobId)).status).toBe("succeeded");
    expect(await completedEntries(org, job.jobId)).toHaveLength(1);
    const backups = await backupsOf(org);
    expect(backups).toHaveLength(1);
    expect(backups[0].logSeq).toBe(retry.body.proof.leafIndex);
    expect(backups[0].manifestSha256).toBe(toHex(sha256(canonicalBytes(retry.body.envelope))));
  });

  it("lease expiry never re-queues a completing job: the cron tick finishes it (crash before the log append)", async () => {
    const org = await makeOrg();
    const job = await leasedJob(org);
    const body = completeBody(job.leaseId, org.runnerId);
    expect(await completeWithFault(org, job.jobId, body, "complete-log-append-once")).toMatch(/test fault/);
    expect((await jobOf(org, job.jobId)).status).toBe("completing");
    expect(await completedEntries(org, job.jobId)).toHaveLength(0);

    // The runner never comes back; its lease runs out long ago.
    const tick = await runCronTick(env, Date.now() + 30 * MINUTE);
    expect(tick).toMatchObject({ expired: 0, completionsFinished: 1 });
    const after = await jobOf(org, job.jobId);
    expect(after).toMatchObject({ status: "succeeded", attempt: 1 });
    expect((await claim(org.runnerToken, [org.databaseId])).body.job).toBeNull();
    const log = await entries(org);
    expect(log.filter((e) => e.type === "backup.completed" && e.data.jobId === job.jobId)).toHaveLength(1);
    expect(log.some((e) => e.type === "backup.failed" && e.data.jobId === job.jobId)).toBe(false);
    expect(await backupsOf(org)).toHaveLength(1);

    // A runner that does come back later still gets the signed answer for its body.
    const late = await onJob(org.runnerToken, job.jobId, "complete", body);
    expect(late.status).toBe(200);
    expectIncluded(late.body.entry, late.body.proof, late.body.checkpoint, await publishedPolicy(), org.orgId);
    expect(await completedEntries(org, job.jobId)).toHaveLength(1);
  });

  it("a completing job whose lease is still live is left to its runner by the cron tick", async () => {
    const org = await makeOrg();
    const job = await leasedJob(org);
    const body = completeBody(job.leaseId, org.runnerId);
    expect(await completeWithFault(org, job.jobId, body, "complete-row-write-once")).toMatch(/test fault/);
    const tick = await runCronTick(env, Date.now());
    expect(tick).toMatchObject({ expired: 0, completionsFinished: 0 });
    expect((await jobOf(org, job.jobId)).status).toBe("completing");
    expect((await onJob(org.runnerToken, job.jobId, "complete", body)).status).toBe(200);
    expect((await jobOf(org, job.jobId)).status).toBe("succeeded");
  });
});
