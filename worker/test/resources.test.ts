import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, makeOrg } from "./support/client.js";

const count = async (table: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
const schedule = (databaseId: string, over: Record<string, unknown> = {}) => ({
  databaseId,
  cron: "15 3 * * *",
  timezone: "Europe/Oslo",
  targetRpoMinutes: 1500,
  ...over,
});

describe("databases", () => {
  it("creates, reads, renames and deletes a database; pages through a list", async () => {
    const org = await makeOrg();
    for (let i = 0; i < 4; i++)
      expect(
        (await call("POST", "/v1/databases", { token: org.adminToken, json: { name: `db ${i}`, provider: "other" } }))
          .status,
      ).toBe(201);
    const page1 = await call("GET", "/v1/databases?limit=2", { token: org.viewerToken });
    expect(page1.body.items).toHaveLength(2);
    const page2 = await call("GET", `/v1/databases?limit=2&cursor=${page1.body.nextCursor}`, {
      token: org.viewerToken,
    });
    const page3 = await call("GET", `/v1/databases?limit=2&cursor=${page2.body.nextCursor}`, {
      token: org.viewerToken,
    });
    expect(page3.body.nextCursor).toBeNull();
    const all = [...page1.body.items, ...page2.body.items, ...page3.body.items].map((d: { id: string }) => d.id);
    expect(new Set(all).size).toBe(5);

    const renamed = await call("PATCH", `/v1/databases/${org.databaseId}`, {
      token: org.adminToken,
      json: { name: "primary" },
    });
    expect(renamed.body).toMatchObject({ name: "primary", provider: "neon" });
    await call("POST", "/v1/schedules", { token: org.adminToken, json: schedule(org.databaseId) });
    expect((await call("DELETE", `/v1/databases/${org.databaseId}`, { token: org.adminToken })).status).toBe(204);
    expect((await call("GET", `/v1/databases/${org.databaseId}`, { token: org.viewerToken })).status).toBe(404);
    expect(
      (await call("GET", `/v1/schedules?databaseId=${org.databaseId}`, { token: org.viewerToken })).body.items,
    ).toEqual([]);
  });

  it.each([
    [{ name: "", provider: "neon" }, /name/],
    [{ name: "x", provider: "oracle" }, /provider/],
    [{ name: "x", provider: "neon", connectionString: "postgres://u:p@h/db" }, /unrecognized key/i],
    [{ name: "tab\there", provider: "neon" }, /control characters/],
  ])("refuses %j with a 400 that says what is wrong, and writes nothing", async (body, message) => {
    const org = await makeOrg();
    const before = await count("databases");
    const r = await call("POST", "/v1/databases", { token: org.adminToken, json: body });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("bad-request");
    expect(r.body.error.message).toMatch(message);
    expect(await count("databases")).toBe(before);
  });

  it("refuses bad paths and queries with 400s", async () => {
    const org = await makeOrg();
    expect((await call("GET", "/v1/databases/has%20space", { token: org.viewerToken })).status).toBe(400);
    expect((await call("GET", "/v1/databases?limit=0", { token: org.viewerToken })).body.error.message).toMatch(
      /limit/,
    );
    expect((await call("GET", "/v1/databases?limit=500", { token: org.viewerToken })).status).toBe(400);
    expect(
      (await call("PATCH", `/v1/databases/${org.databaseId}`, { token: org.adminToken, json: {} })).body.error.message,
    ).toMatch(/nothing to change/);
    expect(
      (
        await call("POST", "/v1/databases", {
          token: org.adminToken,
          body: "{not json",
          headers: { "content-type": "application/json" },
        })
      ).body.error.message,
    ).toMatch(/not valid JSON/);
  });
});

describe("schedules", () => {
  it("computes the next run in the schedule's time zone and recomputes it when the timing changes", async () => {
    const org = await makeOrg();
    const r = await call("POST", "/v1/schedules", { token: org.adminToken, json: schedule(org.databaseId) });
    expect(r.status).toBe(201);
    const next = new Date(r.body.nextRunAt);
    // 03:15 in Oslo is 02:15 UTC in winter and 01:15 UTC in summer.
    expect(next.getUTCMinutes()).toBe(15);
    expect([1, 2]).toContain(next.getUTCHours());
    expect(next.getTime()).toBeGreaterThan(Date.now());
    const paused = await call("PATCH", `/v1/schedules/${r.body.id}`, {
      token: org.adminToken,
      json: { enabled: false },
    });
    expect(paused.body).toMatchObject({ enabled: false, nextRunAt: null, timezone: "Europe/Oslo" });
    const hourly = await call("PATCH", `/v1/schedules/${r.body.id}`, {
      token: org.adminToken,
      json: { enabled: true, cron: "0 * * * *" },
    });
    expect(new Date(hourly.body.nextRunAt).getUTCMinutes()).toBe(0);
    const rpoOnly = await call("PATCH", `/v1/schedules/${r.body.id}`, {
      token: org.adminToken,
      json: { targetRpoMinutes: 90 },
    });
    expect(rpoOnly.body).toMatchObject({ targetRpoMinutes: 90, cron: "0 * * * *", nextRunAt: hourly.body.nextRunAt });
    expect((await call("GET", `/v1/schedules/${r.body.id}`, { token: org.viewerToken })).body.targetRpoMinutes).toBe(
      90,
    );
    expect((await call("DELETE", `/v1/schedules/${r.body.id}`, { token: org.adminToken })).status).toBe(204);
    expect((await call("GET", `/v1/schedules/${r.body.id}`, { token: org.viewerToken })).status).toBe(404);
  });

  it.each([
    [{ cron: "61 * * * *" }, /cron.*minute/],
    [{ cron: "* * * * * *" }, /cron/],
    [{ cron: "0 3 30 2 *" }, /never runs/],
    [{ timezone: "Mars/Olympus_Mons" }, /time zone/],
    [{ targetRpoMinutes: 1 }, /targetRpoMinutes/],
    [{ retentionDays: 30 }, /retentionDays/], // a retention policy of its database now (PUT /v1/databases/:id/retention-policy)
  ])("refuses a schedule with %j and writes nothing", async (over, message) => {
    const org = await makeOrg();
    const before = await count("schedules");
    const r = await call("POST", "/v1/schedules", { token: org.adminToken, json: schedule(org.databaseId, over) });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(message);
    expect(await count("schedules")).toBe(before);
  });

  it("refuses a schedule for a database that does not exist", async () => {
    const org = await makeOrg();
    const r = await call("POST", "/v1/schedules", { token: org.adminToken, json: schedule("db_missing") });
    expect(r.status).toBe(404);
  });
});

describe("jobs and backups", () => {
  it("a queued manual backup shows in the job list, filtered by status and database", async () => {
    const org = await makeOrg();
    const q = await call("POST", `/v1/databases/${org.databaseId}/backups`, { token: org.operatorToken, json: {} });
    const job = await call("GET", `/v1/jobs/${q.body.jobId}`, { token: org.viewerToken });
    expect(job.body).toMatchObject({
      status: "queued",
      trigger: "manual",
      attempt: 0,
      maxAttempts: 3,
      backupId: q.body.backupId,
      progress: null,
    });
    expect((await call("GET", "/v1/jobs?status=queued", { token: org.viewerToken })).body.items).toHaveLength(1);
    expect((await call("GET", "/v1/jobs?status=failed", { token: org.viewerToken })).body.items).toHaveLength(0);
    expect((await call("GET", "/v1/jobs?status=lost", { token: org.viewerToken })).status).toBe(400);
    expect((await call("GET", "/v1/backups", { token: org.viewerToken })).body.items).toEqual([]);
    expect((await call("GET", "/v1/backups/bkp_none", { token: org.viewerToken })).status).toBe(404);
  });

  it("jobs filtered by the runner that took them and by creation time (RFC 3339 with a zone)", async () => {
    const org = await makeOrg();
    const first = await call("POST", `/v1/databases/${org.databaseId}/backups`, { token: org.operatorToken, json: {} });
    const claimed = await call("POST", "/v1/runner/claim", {
      token: org.runnerToken,
      json: { version: "0.1.0", databases: [org.databaseId] },
    });
    expect(claimed.body.job.jobId).toBe(first.body.jobId);
    const made = Date.parse(
      (await call("GET", `/v1/jobs/${first.body.jobId}`, { token: org.viewerToken })).body.createdAt,
    );
    await new Promise((r) => setTimeout(r, 5));
    const second = await call("POST", `/v1/databases/${org.databaseId}/backups`, {
      token: org.operatorToken,
      json: {},
    });
    const ids = async (q: string) => {
      const r = await call("GET", `/v1/jobs?${q}`, { token: org.viewerToken });
      expect(r.status).toBe(200);
      return r.body.items.map((j: { id: string }) => j.id);
    };
    expect(await ids(`runnerId=${org.runnerId}`)).toEqual([first.body.jobId]);
    expect(await ids("runnerId=rnr_nobody")).toEqual([]);
    expect(await ids(`since=${encodeURIComponent(new Date(made + 1).toISOString())}`)).toEqual([second.body.jobId]);
    // The same instant with an offset: normalised to UTC.
    const offset = new Date(made + 3_600_000).toISOString().replace("Z", "+01:00");
    expect(await ids(`since=${encodeURIComponent(offset)}`)).toEqual([second.body.jobId, first.body.jobId]);
    expect((await call("GET", "/v1/jobs?since=yesterday", { token: org.viewerToken })).status).toBe(400);
  });
});
