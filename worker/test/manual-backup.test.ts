import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, makeOrg, type Org } from "./support/client.js";
import { logEntries } from "./support/log-checks.js";
import { claim } from "./support/runner-calls.js";

// "Back up now" queues at most one manual backup per database that no runner has claimed yet (issue 13
// §9: an operator queued 200 full dumps in 5 s). Asking again answers that job; D1's unique partial index
// jobs_one_unclaimed_manual makes it hold for requests at once too (STORAGE.md).

const backUpNow = (org: Org, databaseId = org.databaseId) =>
  call("POST", `/v1/databases/${databaseId}/backups`, { token: org.operatorToken, json: {} });
const jobRows = async (databaseId: string) =>
  (
    await env.DB.prepare("SELECT id, status, attempt FROM jobs WHERE database_id = ? ORDER BY id")
      .bind(databaseId)
      .all<{ id: string; status: string; attempt: number }>()
  ).results;
const scheduledEntries = async (org: Org) =>
  (await logEntries(org.viewerToken))
    .map((e) => JSON.parse(e) as { type: string; data: { jobId: string } })
    .filter((e) => e.type === "backup.scheduled");

describe("Back up now queues at most one unclaimed manual backup per database", () => {
  it("200 requests at once: one job row, one backup.scheduled entry, and every answer names that job", async () => {
    const org = await makeOrg();
    const answers = await Promise.all(Array.from({ length: 200 }, () => backUpNow(org)));
    const rows = await jobRows(org.databaseId);
    expect(rows).toHaveLength(1);
    const [job] = rows;
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(199);
    expect(new Set(answers.map((a) => a.body.jobId))).toEqual(new Set([job!.id]));
    expect(new Set(answers.map((a) => a.body.backupId)).size).toBe(1);
    expect((await scheduledEntries(org)).map((e) => e.data.jobId)).toEqual([job!.id]);
  });

  it("asking again answers 200 with the queued job; once a runner claims it, a new request queues a new one", async () => {
    const org = await makeOrg();
    const first = await backUpNow(org);
    expect(first.status).toBe(202);
    const again = await backUpNow(org);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const claimed = await claim(org.runnerToken, [org.databaseId]);
    expect(claimed.body.job.jobId).toBe(first.body.jobId);
    const next = await backUpNow(org);
    expect(next.status).toBe(202);
    expect(next.body.jobId).not.toBe(first.body.jobId);
    expect((await backUpNow(org)).body.jobId).toBe(next.body.jobId);
    expect((await jobRows(org.databaseId)).map((r) => r.status)).toEqual(["leased", "queued"]);
  });

  it("a claimed job that fails and is re-queued does not block a new one, nor is it blocked", async () => {
    const org = await makeOrg();
    const first = (await backUpNow(org)).body;
    const lease = (await claim(org.runnerToken, [org.databaseId])).body.job.leaseId;
    const second = await backUpNow(org);
    expect(second.status).toBe(202);
    const failed = await call("POST", `/v1/runner/jobs/${first.jobId}/fail`, {
      token: org.runnerToken,
      json: { leaseId: lease, reason: "network blip", retryable: true },
    });
    expect(failed.body).toMatchObject({ willRetry: true });
    expect((await jobRows(org.databaseId)).map((r) => [r.status, r.attempt])).toEqual([
      ["queued", 1],
      ["queued", 0],
    ]);
    expect((await backUpNow(org)).body.jobId).toBe(second.body.jobId);
  });

  it("each database has its own queue", async () => {
    const org = await makeOrg();
    const other = await call("POST", "/v1/databases", { token: org.adminToken, json: { name: "b", provider: "rds" } });
    const [a, b] = await Promise.all([backUpNow(org), backUpNow(org, other.body.id)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.jobId).not.toBe(b.body.jobId);
  });
});
