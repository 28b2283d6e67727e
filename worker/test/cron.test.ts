import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index.js";
import { runCronTick } from "../src/scheduling/cron-tick.js";
import { scheduledJobId } from "../src/scheduling/schedule-due.js";
import { call, makeOrg, type Org } from "./support/client.js";
import { logEntries } from "./support/log-checks.js";

const HOUR = 3_600_000;

async function dueSchedule(org: Org, cron: string, dueAt: number): Promise<string> {
  const r = await call("POST", "/v1/schedules", {
    token: org.adminToken,
    json: { databaseId: org.databaseId, cron, timezone: "UTC", targetRpoMinutes: 120 },
  });
  expect(r.status).toBe(201);
  await env.DB.prepare("UPDATE schedules SET next_run_at = ? WHERE id = ?").bind(dueAt, r.body.id).run();
  return r.body.id;
}

const jobsOf = async (orgId: string) =>
  (
    await env.DB.prepare("SELECT id, slot_at, status FROM jobs WHERE org_id = ? ORDER BY id")
      .bind(orgId)
      .all<{ id: string; slot_at: number }>()
  ).results;
const scheduledEntries = async (org: Org) =>
  (await logEntries(org.viewerToken)).map((e) => JSON.parse(e)).filter((e) => e.type === "backup.scheduled");
const nextRunOf = async (id: string) =>
  (await env.DB.prepare("SELECT next_run_at FROM schedules WHERE id = ?").bind(id).first<{ next_run_at: number }>())!
    .next_run_at;

describe("cron tick", () => {
  it("queues one job per due schedule with a deterministic id, logs backup.scheduled, and advances next_run_at", async () => {
    const org = await makeOrg();
    const now = Date.UTC(2026, 10, 24, 12, 0, 30);
    const slot = Date.UTC(2026, 10, 24, 12, 0, 0);
    const id = await dueSchedule(org, "0 * * * *", slot);
    const stats = await runCronTick(env, now);
    expect(stats).toMatchObject({ due: 1, queued: 1, invalid: 0 });
    expect(await jobsOf(org.orgId)).toEqual([{ id: scheduledJobId(id, slot), slot_at: slot, status: "queued" }]);
    expect(await nextRunOf(id)).toBe(slot + HOUR);
    const [entry] = await scheduledEntries(org);
    expect(entry).toMatchObject({
      actor: "system:cron",
      subject: `database:${org.databaseId}`,
      data: { jobId: scheduledJobId(id, slot), scheduleId: id, slot: new Date(slot).toISOString() },
    });
  });

  it("is idempotent: the same tick twice, or two at once, queue and log each slot once", async () => {
    const org = await makeOrg();
    const slot = Date.UTC(2026, 10, 24, 12, 0, 0);
    await dueSchedule(org, "0 * * * *", slot);
    await Promise.all([runCronTick(env, slot + 1000), runCronTick(env, slot + 1000)]);
    await runCronTick(env, slot + 2000);
    expect(await jobsOf(org.orgId)).toHaveLength(1);
    expect(await scheduledEntries(org)).toHaveLength(1);
    const outbox = await env.DB.prepare("SELECT count(*) AS n FROM outbox").first<{ n: number }>();
    expect(outbox!.n).toBe(0);
  });

  it("catches up after missed minutes with one job for the first missed slot, then resumes on the next future slot", async () => {
    const org = await makeOrg();
    const firstMissed = Date.UTC(2026, 10, 24, 9, 0, 0);
    const now = Date.UTC(2026, 10, 24, 12, 7, 0);
    const id = await dueSchedule(org, "*/5 * * * *", firstMissed);
    await runCronTick(env, now);
    expect((await jobsOf(org.orgId)).map((j) => j.slot_at)).toEqual([firstMissed]);
    expect(await nextRunOf(id)).toBe(Date.UTC(2026, 10, 24, 12, 10, 0));
    await runCronTick(env, Date.UTC(2026, 10, 24, 12, 10, 5));
    expect((await jobsOf(org.orgId)).map((j) => j.slot_at)).toEqual([firstMissed, Date.UTC(2026, 10, 24, 12, 10, 0)]);
  });

  it("leaves disabled and not-yet-due schedules alone", async () => {
    const org = await makeOrg();
    const now = Date.UTC(2026, 10, 24, 12, 0, 30);
    const disabled = await dueSchedule(org, "0 * * * *", now - HOUR);
    await call("PATCH", `/v1/schedules/${disabled}`, { token: org.adminToken, json: { enabled: false } });
    await dueSchedule(org, "0 * * * *", now + HOUR);
    const stats = await runCronTick(env, now);
    expect(stats.due).toBe(0);
    expect(await jobsOf(org.orgId)).toEqual([]);
  });

  it("runs as the Worker's scheduled handler", async () => {
    const org = await makeOrg();
    const id = await dueSchedule(org, "0 * * * *", Date.now() - 1000);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await jobsOf(org.orgId)).map((j) => j.id)).toEqual([expect.stringContaining(id)]);
  });

  it("handles 1,000 due schedules with O(n/100) D1 statements, every one logged", async () => {
    const org = await makeOrg();
    const now = Date.UTC(2026, 10, 24, 12, 0, 30);
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      id: `sch_bulk${String(i).padStart(4, "0")}`,
      orgId: org.orgId,
      databaseId: org.databaseId,
    }));
    await env.DB.prepare(
      `INSERT INTO schedules (id, org_id, database_id, cron, timezone, target_rpo_minutes, enabled, next_run_at, created_at, updated_at)
       SELECT value ->> '$.id', value ->> '$.orgId', value ->> '$.databaseId', '0 * * * *', 'UTC', 120, 1, ?1, ?1, ?1 FROM json_each(?2)`,
    )
      .bind(now - 30_000, JSON.stringify(rows))
      .run();
    const stats = await runCronTick(env, now);
    expect(stats).toMatchObject({ due: 1000, queued: 1000 });
    // ≤ 30 for the backups, one for retention (no policy is due), one for the witness step (no witness is
    // due), plus the alert evaluation's constant handful (its condition queries, the open incidents, one
    // batch, the channels), whatever the number of schedules.
    expect(stats.statements - stats.alerts.statements).toBeLessThanOrEqual(32);
    expect(stats.alerts.statements).toBeLessThanOrEqual(16);
    expect(await jobsOf(org.orgId)).toHaveLength(1000);
    expect(await scheduledEntries(org)).toHaveLength(1000);
  });
});
