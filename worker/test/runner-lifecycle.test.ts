import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runCronTick } from "../src/scheduling/cron-tick.js";
import { ARTIFACT_SHA256, backupResult } from "./support/backup-result.js";
import { call, makeOrg, type Org } from "./support/client.js";
import { logEntries } from "./support/log-checks.js";
import { claim as claimAs, completeBody, failBody, onJob, queueBackup } from "./support/runner-calls.js";

const MINUTE = 60_000;
const queue = (org: Org) => queueBackup(org);
const claim = (org: Org, token = org.runnerToken) => claimAs(token, [org.databaseId]);
const complete = (org: Org, jobId: string, leaseId: string, result = backupResult(org.runnerId)) =>
  onJob(org.runnerToken, jobId, "complete", { ...completeBody(leaseId, org.runnerId), result });
const fail = (
  org: Org,
  jobId: string,
  leaseId: string,
  retryable: boolean,
  reason = "pg_dump: error: connection to server lost",
) => onJob(org.runnerToken, jobId, "fail", failBody(leaseId, reason, retryable));
const types = async (org: Org) =>
  (await logEntries(org.viewerToken)).map((e) => JSON.parse(e) as { type: string; data: Record<string, unknown> });

describe("runner protocol: leases, retries and fences", () => {
  it("two runners claiming at once: every job goes to exactly one of them", async () => {
    const org = await makeOrg();
    const second = (await call("POST", "/v1/runners", { token: org.adminToken, json: { name: "runner two" } })).body
      .token as string;
    // Six databases, one manual job each (a database holds at most one unclaimed manual job).
    const databases = [org.databaseId];
    for (let i = 1; i < 6; i++)
      databases.push(
        (await call("POST", "/v1/databases", { token: org.adminToken, json: { name: `db ${i}`, provider: "neon" } }))
          .body.id,
      );
    const jobs = [];
    for (const db of databases) jobs.push(await queueBackup(org, db));
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) => claimAs(i % 2 ? second : org.runnerToken, databases)),
    );
    const got = claims.map((c) => c.body.job?.jobId).filter(Boolean);
    expect(got.sort()).toEqual([...jobs].sort());
    expect(claims.filter((c) => c.body.job === null)).toHaveLength(2);
    const started = (await types(org)).filter((e) => e.type === "backup.started");
    expect(started).toHaveLength(6);
  });

  it("a stale lease can neither heartbeat nor complete once the job was re-queued and re-claimed", async () => {
    const org = await makeOrg();
    const jobId = await queue(org);
    const first = (await claim(org)).body.job;
    await runCronTick(env, Date.now() + 10 * MINUTE);
    const second = (await claim(org)).body.job;
    expect(second).toMatchObject({ jobId, attempt: 2 });
    expect(second.leaseId).not.toBe(first.leaseId);
    const hb = await call("POST", `/v1/runner/jobs/${jobId}/heartbeat`, {
      token: org.runnerToken,
      json: { leaseId: first.leaseId, progress: { phase: "dumping", bytes: 1 } },
    });
    expect(hb.status).toBe(409);
    const stale = await complete(org, jobId, first.leaseId);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("lease-lost");
    expect((await call("GET", "/v1/backups", { token: org.viewerToken })).body.items).toHaveLength(0);
    expect((await complete(org, jobId, second.leaseId)).status).toBe(200);
    const log = await types(org);
    expect(log.filter((e) => e.type === "backup.completed")).toHaveLength(1);
    expect(log.find((e) => e.type === "backup.failed")?.data).toMatchObject({
      jobId,
      attempt: 1,
      willRetry: true,
      reason: expect.stringMatching(/lease expired/),
    });
  });

  it("an expired lease is re-queued with its attempt count, and fails for good after the last attempt", async () => {
    const org = await makeOrg();
    const jobId = await queue(org);
    let at = Date.now();
    for (let attempt = 1; attempt <= 3; attempt++) {
      const c = await claim(org);
      expect(c.body.job).toMatchObject({ jobId, attempt });
      at += 10 * MINUTE;
      await runCronTick(env, at);
    }
    const job = (await call("GET", `/v1/jobs/${jobId}`, { token: org.viewerToken })).body;
    expect(job).toMatchObject({ status: "failed", attempt: 3, lastError: expect.stringMatching(/lease expired/) });
    expect((await claim(org)).body.job).toBeNull();
    const failed = (await types(org)).filter((e) => e.type === "backup.failed").map((e) => e.data.willRetry);
    expect(failed).toEqual([true, true, false]);
  });

  it("a heartbeat keeps the lease alive past its first expiry", async () => {
    const org = await makeOrg();
    const jobId = await queue(org);
    const job = (await claim(org)).body.job;
    const hb = await call("POST", `/v1/runner/jobs/${jobId}/heartbeat`, {
      token: org.runnerToken,
      json: { leaseId: job.leaseId, progress: { phase: "uploading", bytes: 4096 } },
    });
    expect(Date.parse(hb.body.leaseExpiresAt)).toBeGreaterThanOrEqual(Date.parse(job.leaseExpiresAt));
    await runCronTick(env, Date.parse(hb.body.leaseExpiresAt) - 1000);
    const seen = (await call("GET", `/v1/jobs/${jobId}`, { token: org.viewerToken })).body;
    expect(seen).toMatchObject({ status: "leased", progress: { phase: "uploading", bytes: 4096 } });
  });

  it("fail: a retryable failure re-queues, a final one fails the job; both are logged with the runner's reason", async () => {
    const org = await makeOrg();
    const jobId = await queue(org);
    const a = (await claim(org)).body.job;
    expect((await fail(org, jobId, a.leaseId, true)).body).toEqual({ willRetry: true, attempt: 1 });
    const b = (await claim(org)).body.job;
    expect((await fail(org, jobId, b.leaseId, false, "pg_dump: error: server version mismatch")).body).toEqual({
      willRetry: false,
      attempt: 2,
    });
    expect((await fail(org, jobId, b.leaseId, false)).status).toBe(409);
    const failures = (await types(org)).filter((e) => e.type === "backup.failed").map((e) => e.data);
    expect(failures).toEqual([
      expect.objectContaining({
        attempt: 1,
        willRetry: true,
        reason: "pg_dump: error: connection to server lost",
        runnerId: org.runnerId,
      }),
      expect.objectContaining({ attempt: 2, willRetry: false, reason: "pg_dump: error: server version mismatch" }),
    ]);
    expect((await call("GET", `/v1/jobs/${jobId}`, { token: org.viewerToken })).body.status).toBe("failed");
  });

  it("complete is safe to repeat: the same envelope, one log entry, one backup", async () => {
    const org = await makeOrg();
    const jobId = await queue(org);
    const job = (await claim(org)).body.job;
    const one = await complete(org, jobId, job.leaseId);
    const two = await complete(org, jobId, job.leaseId);
    expect(two.status).toBe(200);
    expect(two.body.envelope).toEqual(one.body.envelope);
    expect(two.body.entry).toBe(one.body.entry);
    expect(two.body.proof.leafIndex).toBe(one.body.proof.leafIndex);
    expect((await types(org)).filter((e) => e.type === "backup.completed")).toHaveLength(1);
    const backups = (await call("GET", "/v1/backups", { token: org.viewerToken })).body.items;
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatchObject({
      id: job.backupId,
      sha256: ARTIFACT_SHA256,
      sizeBytes: 123_456_789,
      durationMs: 90_000,
    });
    const detail = (await call("GET", `/v1/backups/${job.backupId}`, { token: org.viewerToken })).body;
    expect(detail.envelope).toEqual(one.body.envelope);
  });

  it.each([
    ["another runner's id in the result", () => backupResult("rnr_someone_else"), /not the calling runner/],
    [
      "completedAt before startedAt",
      (org: Org) => backupResult(org.runnerId, { completedAt: "2026-11-24T02:00:00.000Z" }),
      /before/,
    ],
    ["an unknown compression", (org: Org) => backupResult(org.runnerId, { compression: "rar" }), /compression/],
    [
      "an extra field",
      (org: Org) => backupResult(org.runnerId, { connectionString: "postgres://u:p@h/db" }),
      /unrecognized/i,
    ],
  ])("complete with %s is a 400 and changes nothing", async (_name, result, message) => {
    const org = await makeOrg();
    const jobId = await queue(org);
    const job = (await claim(org)).body.job;
    const r = await complete(org, jobId, job.leaseId, result(org) as ReturnType<typeof backupResult>);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(message);
    expect((await call("GET", `/v1/jobs/${jobId}`, { token: org.viewerToken })).body.status).toBe("leased");
    expect((await types(org)).some((e) => e.type === "backup.completed")).toBe(false);
  });

  it("a revoked runner token is refused, and the runner's last-seen time and version are recorded", async () => {
    const org = await makeOrg();
    await claim(org);
    const runner = (await call("GET", "/v1/runners", { token: org.viewerToken })).body.items[0];
    expect(runner).toMatchObject({ version: "0.1.0", lastSeenAt: expect.any(String) });
    await call("DELETE", `/v1/runners/${org.runnerId}`, { token: org.adminToken });
    const r = await claim(org);
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/revoked/);
  });
});
