// Restore drills in the Worker, the dashboard's side (verifier/SPEC.md §11): drill policies and their log
// entries, drills queued by the cron tick once per slot with the backup chosen as the policy says, "drill
// now", the drill and job lists, restorability, and another org seeing none of it.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decodeEntry, type LogEntry, sha256, toHex, utf8 } from "@walwarden/verifier";
import { DrillPageSchema, DrillPolicySchema, DrillSchema, RestorabilitySchema } from "@walwarden/verifier/wire";
import { pickNumber } from "../src/drills/choose-backup.js";
import { scheduledDrillIds } from "../src/drills/queue.js";
import { runCronTick } from "../src/scheduling/cron-tick.js";
import { call, makeOrg, type Org } from "./support/client.js";
import {
  claimDrill,
  drillNow,
  drillReady,
  failedPredicate,
  leasedDrill,
  putPolicy,
  receiptOf,
  sendReceipt,
} from "./support/drill-calls.js";
import { logEntries } from "./support/log-checks.js";
import { completedBackup } from "./support/runner-calls.js";
import { dumpD1, dumpLedger } from "./support/storage-dump.js";

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** The org's log entries appended by `act`, decoded. */
async function appendedBy(org: Org, act: () => Promise<unknown>): Promise<LogEntry[]> {
  const before = (await logEntries(org.viewerToken)).length;
  await act();
  return (await logEntries(org.viewerToken)).slice(before).map((text) => {
    const e = decodeEntry(new TextEncoder().encode(text));
    if (!e.ok) throw new Error(e.message);
    return e.value;
  });
}

/** Asserts that `act` (refused requests) writes nothing to D1 or the org's Ledger. */
async function writesNothing(org: Org, act: () => Promise<unknown>): Promise<void> {
  const before = { d1: await dumpD1(), ledger: await dumpLedger(org.orgId) };
  await new Promise((r) => setTimeout(r, 5));
  await act();
  expect({ d1: await dumpD1(), ledger: await dumpLedger(org.orgId) }).toEqual(before);
}

const ASSERTION = {
  name: "orders exist",
  sql: "select count(*) from orders",
  expect: { op: "gt", value: 0 },
};

const adminActor = async (org: Org) => {
  const tokens = await call("GET", "/v1/tokens?limit=100", { token: org.adminToken });
  return `token:${tokens.body.items.find((t: { name: string }) => t.name === "admin token").id}`;
};

const newDatabase = async (org: Org, name = "drilled") =>
  (await call("POST", "/v1/databases", { token: org.adminToken, json: { name, provider: "rds" } })).body.id as string;

/** Sets a policy's next slot (as the cron tick would find it due). */
const dueAt = (databaseId: string, slot: number) =>
  env.DB.prepare("UPDATE drill_policies SET next_run_at = ?1 WHERE database_id = ?2").bind(slot, databaseId).run();

const drillRows = async (databaseId: string) =>
  (
    await env.DB.prepare(
      'SELECT id, job_id, backup_id, "trigger", status FROM drills WHERE database_id = ? ORDER BY id',
    )
      .bind(databaseId)
      .all<{ id: string; job_id: string; backup_id: string; trigger: string; status: string }>()
  ).results;

describe("drill policies", () => {
  it("set, read, changed and removed by an admin, each logged before it applies with the values after it; the SQL only as its SHA-256", async () => {
    const org = await makeOrg();
    const path = `/v1/databases/${org.databaseId}/drill-policy`;
    expect((await call("GET", path, { token: org.viewerToken })).status).toBe(404);
    let set: unknown;
    let changed: unknown;
    const entries = await appendedBy(org, async () => {
      const r = await putPolicy(org, { assertions: [ASSERTION] });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      set = DrillPolicySchema.parse(r.body);
      const c = await putPolicy(org, {
        cron: "30 5 * * 1",
        timezone: "Europe/Oslo",
        backup: { pick: "random", withinDays: 14 },
        target: "server",
        maxRtoSeconds: 900,
        enabled: false,
      });
      expect(c.status).toBe(200);
      changed = c.body;
      expect((await call("GET", path, { token: org.viewerToken })).body).toEqual(changed);
      expect((await call("DELETE", path, { token: org.adminToken })).status).toBe(204);
    });
    expect(set).toMatchObject({
      databaseId: org.databaseId,
      cron: "0 4 * * 0",
      timezone: "UTC",
      backup: { pick: "latest" },
      target: "local",
      maxRtoSeconds: null,
      assertions: [ASSERTION],
      enabled: true,
    });
    expect(changed).toMatchObject({ cron: "30 5 * * 1", enabled: false, assertions: [] });
    const actor = await adminActor(org);
    const subject = `database:${org.databaseId}`;
    expect(entries.map((e) => [e.type, e.actor, e.subject, e.data])).toEqual([
      [
        "drill.policy_set",
        actor,
        subject,
        {
          databaseId: org.databaseId,
          cron: "0 4 * * 0",
          timezone: "UTC",
          backup: { pick: "latest" },
          target: "local",
          maxRtoSeconds: null,
          assertions: [
            { name: ASSERTION.name, sqlSha256: toHex(sha256(utf8(ASSERTION.sql))), expect: ASSERTION.expect },
          ],
          enabled: true,
        },
      ],
      [
        "drill.policy_set",
        actor,
        subject,
        {
          databaseId: org.databaseId,
          cron: "30 5 * * 1",
          timezone: "Europe/Oslo",
          backup: { pick: "random", withinDays: 14 },
          target: "server",
          maxRtoSeconds: 900,
          assertions: [],
          enabled: false,
        },
      ],
      ["drill.policy_removed", actor, subject, { databaseId: org.databaseId }],
    ]);
    expect(JSON.stringify(entries)).not.toContain(ASSERTION.sql);
    expect((await call("GET", path, { token: org.viewerToken })).status).toBe(404);
    expect((await call("DELETE", path, { token: org.adminToken })).status).toBe(404);
  });

  it("refuses a bad cron or time zone, duplicate assertion names, weaker roles and unknown or deleted databases, writing nothing", async () => {
    const org = await makeOrg();
    const gone = await newDatabase(org, "gone");
    expect((await call("DELETE", `/v1/databases/${gone}`, { token: org.adminToken })).status).toBe(204);
    await writesNothing(org, async () => {
      const badCron = await putPolicy(org, { cron: "0 4 * * funday" });
      expect(badCron.status).toBe(400);
      expect(badCron.body.error.message).toMatch(/^invalid body: cron: cron "0 4 \* \* funday"/);
      const badZone = await putPolicy(org, { timezone: "Mars/Olympus_Mons" });
      expect(badZone.status).toBe(400);
      expect(badZone.body.error.message).toMatch(/timezone: not a known IANA time zone/);
      const twice = await putPolicy(org, { assertions: [ASSERTION, ASSERTION] });
      expect(twice.body.error.message).toMatch(/assertion names must be unique/);
      const path = `/v1/databases/${org.databaseId}/drill-policy`;
      for (const token of [org.viewerToken, org.operatorToken])
        expect((await call("PUT", path, { token, json: {} })).status).toBe(403);
      expect((await call("DELETE", path, { token: org.operatorToken })).status).toBe(403);
      for (const db of [gone, "db_nowhere"]) {
        expect((await putPolicy(org, {}, db)).status).toBe(404);
        expect((await call("GET", `/v1/databases/${db}/drill-policy`, { token: org.viewerToken })).status).toBe(404);
        expect((await drillNow(org, {}, db)).status).toBe(404);
        expect((await call("GET", `/v1/databases/${db}/restorability`, { token: org.viewerToken })).status).toBe(404);
      }
    });
  });

  it("deleting a database removes its policy (drill.policy_removed, then database.deleted) and keeps its drills", async () => {
    const org = await makeOrg();
    await drillReady(org);
    await putPolicy(org, {});
    const drill = (await drillNow(org)).body;
    const entries = await appendedBy(org, async () => {
      expect((await call("DELETE", `/v1/databases/${org.databaseId}`, { token: org.adminToken })).status).toBe(204);
    });
    expect(entries.map((e) => e.type)).toEqual(["drill.policy_removed", "database.deleted"]);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM drill_policies WHERE database_id = ?")
      .bind(org.databaseId)
      .first<{ n: number }>();
    expect(left!.n).toBe(0);
    expect((await call("GET", `/v1/drills/${drill.id}`, { token: org.viewerToken })).status).toBe(200);
  });
});

describe("the cron tick queues drills", () => {
  it("once per slot with deterministic ids (the tick twice, or two at once), the latest backup, logged as drill.scheduled by system:cron", async () => {
    const org = await makeOrg();
    await completedBackup(org);
    const latest = await completedBackup(org);
    await putPolicy(org, { cron: "0 4 * * 0", target: "server", maxRtoSeconds: 600, assertions: [ASSERTION] });
    const slot = Date.UTC(2026, 10, 29, 4, 0, 0);
    await dueAt(org.databaseId, slot);
    const entries = await appendedBy(org, async () => {
      const [a] = await Promise.all([runCronTick(env, slot + 1000), runCronTick(env, slot + 1000)]);
      expect(a).toMatchObject({ drillsDue: expect.any(Number) });
      await runCronTick(env, slot + 2000);
    });
    const { drillId, jobId } = scheduledDrillIds(org.databaseId, slot);
    expect(await drillRows(org.databaseId)).toEqual([
      { id: drillId, job_id: jobId, backup_id: latest.backupId, trigger: "schedule", status: "queued" },
    ]);
    expect(entries.map((e) => [e.type, e.actor, e.subject, e.data])).toEqual([
      [
        "drill.scheduled",
        "system:cron",
        `database:${org.databaseId}`,
        { jobId, drillId, databaseId: org.databaseId, backupId: latest.backupId, slot: new Date(slot).toISOString() },
      ],
    ]);
    const drill = DrillSchema.parse((await call("GET", `/v1/drills/${drillId}`, { token: org.viewerToken })).body);
    expect(drill).toMatchObject({ target: "server", maxRtoSeconds: 600, slotAt: new Date(slot).toISOString() });
    // The next slot is a week on; the policy's assertions go to the runner that claims it.
    const next = await env.DB.prepare("SELECT next_run_at AS n FROM drill_policies WHERE database_id = ?")
      .bind(org.databaseId)
      .first<{ n: number }>();
    expect(next!.n).toBe(slot + WEEK);
    await drillReady(org);
    const claimed = (await claimDrill(org.runnerToken, [org.databaseId])).body.job;
    expect(claimed).toMatchObject({ drillId, assertions: [ASSERTION], maxRtoSeconds: 600, target: "server" });
  });

  it("random within days: one of the backups completed in those days before the slot, picked from the drill id's hash; the latest if none is that recent", async () => {
    const org = await makeOrg();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await completedBackup(org)).backupId);
    const slot = Date.UTC(2026, 10, 29, 4, 0, 0);
    // Completed 20, 6, 4 and 2 days before the slot: the last three are within 7 days.
    const ages = [20, 6, 4, 2];
    for (const [i, id] of ids.entries())
      await env.DB.prepare("UPDATE backups SET completed_at = ? WHERE id = ?")
        .bind(slot - ages[i]! * DAY, id)
        .run();
    await putPolicy(org, { backup: { pick: "random", withinDays: 7 } });
    await dueAt(org.databaseId, slot);
    await runCronTick(env, slot + 1000);
    const { drillId } = scheduledDrillIds(org.databaseId, slot);
    const recent = ids.slice(1);
    expect((await drillRows(org.databaseId))[0]).toMatchObject({
      id: drillId,
      backup_id: recent[pickNumber(drillId) % recent.length],
    });
    // A week later nothing is within 1 day of the slot: the newest backup.
    await putPolicy(org, { backup: { pick: "random", withinDays: 1 } });
    await dueAt(org.databaseId, slot + WEEK);
    await runCronTick(env, slot + WEEK + 1000);
    expect(
      (await drillRows(org.databaseId)).find((d) => d.id === scheduledDrillIds(org.databaseId, slot + WEEK).drillId),
    ).toMatchObject({ backup_id: ids[3] });
  });

  it("queues and logs nothing for a database without a completed backup, or for a disabled policy", async () => {
    const org = await makeOrg();
    const slot = Date.UTC(2026, 10, 29, 4, 0, 0);
    await putPolicy(org, {});
    await dueAt(org.databaseId, slot);
    const disabled = await newDatabase(org);
    await completedBackup(org, disabled);
    await putPolicy(org, { enabled: false }, disabled);
    await dueAt(disabled, slot);
    const entries = await appendedBy(org, async () => {
      const stats = await runCronTick(env, slot + 1000);
      expect(stats).toMatchObject({ drillsQueued: 0, drillsWithoutBackup: 1 });
    });
    expect(entries).toEqual([]);
    expect(await drillRows(org.databaseId)).toEqual([]);
    expect(await drillRows(disabled)).toEqual([]);
  });
});

describe("drill now", () => {
  it("202 queues a manual drill of the latest backup with the policy's settings; asking again answers it with 200; once claimed, a new one", async () => {
    const org = await makeOrg();
    const { backupId } = await drillReady(org);
    await putPolicy(org, { maxRtoSeconds: 300, assertions: [ASSERTION] });
    let first: { id: string; jobId: string } | undefined;
    const entries = await appendedBy(org, async () => {
      const answers = await Promise.all([drillNow(org), drillNow(org), drillNow(org)]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 202]);
      first = DrillSchema.parse(answers.find((a) => a.status === 202)!.body);
      for (const a of answers) expect(a.body).toEqual(first);
    });
    const operator = (await call("GET", "/v1/tokens?limit=100", { token: org.adminToken })).body.items.find(
      (t: { name: string }) => t.name === "operator token",
    ).id;
    expect(first).toMatchObject({ trigger: "manual", status: "queued", backupId, maxRtoSeconds: 300, attempt: 0 });
    expect(entries.map((e) => [e.type, e.actor, (e.data as { drillId: string }).drillId])).toEqual([
      ["drill.scheduled", `token:${operator}`, first!.id],
    ]);
    // A waiting drill does not block a manual backup, nor a backup a drill.
    expect((await call("POST", `/v1/databases/${org.databaseId}/backups`, { token: org.operatorToken })).status).toBe(
      202,
    );
    expect((await claimDrill(org.runnerToken, [org.databaseId])).body.job.drillId).toBe(first!.id);
    const next = await drillNow(org);
    expect(next.status).toBe(202);
    expect(next.body.id).not.toBe(first!.id);
  });

  it("a named backup must be a completed backup of that database (else 404); a database without one is a 409; a viewer is refused", async () => {
    const org = await makeOrg();
    const other = await newDatabase(org);
    const otherBackup = (await completedBackup(org, other)).backupId;
    await writesNothing(org, async () => {
      const none = await drillNow(org);
      expect(none.status).toBe(409);
      expect(none.body.error.message).toMatch(/has no completed backup to drill yet/);
      expect((await drillNow(org, { backupId: otherBackup })).status).toBe(404);
      expect((await drillNow(org, { backupId: "bkp_nowhere" })).status).toBe(404);
      expect((await call("POST", `/v1/databases/${other}/drills`, { token: org.viewerToken, json: {} })).status).toBe(
        403,
      );
    });
    // The backup named, not the latest; the defaults without a policy.
    await completedBackup(org, other);
    const named = await drillNow(org, { backupId: otherBackup }, other);
    expect(named.status).toBe(202);
    expect(named.body).toMatchObject({ backupId: otherBackup, target: "local", maxRtoSeconds: null });
  });
});

describe("reading drills", () => {
  it("GET /v1/drills newest first with filters and cursor pages, GET /v1/drills/:id, GET /v1/jobs?kind=drill", async () => {
    const org = await makeOrg();
    const { signer } = await drillReady(org);
    const failed = await leasedDrill(org);
    expect(
      (
        await sendReceipt(
          org.runnerToken,
          failed.jobId,
          failed.leaseId,
          receiptOf(failed, signer, failedPredicate(failed)),
        )
      ).status,
    ).toBe(200);
    const passed = await leasedDrill(org);
    expect((await sendReceipt(org.runnerToken, passed.jobId, passed.leaseId, receiptOf(passed, signer))).status).toBe(
      200,
    );
    const queued = (await drillNow(org)).body;
    const page = (path: string) =>
      call("GET", path, { token: org.viewerToken }).then((r) => DrillPageSchema.parse(r.body));
    expect((await page("/v1/drills")).items.map((d) => d.id)).toEqual([queued.id, passed.drillId, failed.drillId]);
    expect((await page("/v1/drills?status=passed")).items.map((d) => d.id)).toEqual([passed.drillId]);
    expect((await page(`/v1/drills?databaseId=${org.databaseId}&status=failed`)).items.map((d) => d.id)).toEqual([
      failed.drillId,
    ]);
    const first = await page("/v1/drills?limit=2");
    expect(first.items).toHaveLength(2);
    const second = await page(`/v1/drills?limit=2&cursor=${first.nextCursor}`);
    expect(second).toMatchObject({ items: [{ id: failed.drillId }], nextCursor: null });
    const jobs = (await call("GET", "/v1/jobs?kind=drill", { token: org.viewerToken })).body.items;
    expect(jobs.map((j: { drillId: string }) => j.drillId)).toEqual([queued.id, passed.drillId, failed.drillId]);
    const backups = (await call("GET", "/v1/jobs?kind=backup", { token: org.viewerToken })).body.items;
    expect(backups.every((j: { kind: string; drillId: null }) => j.kind === "backup" && j.drillId === null)).toBe(true);
  });
});

describe("restorability", () => {
  it("no-policy, never-proven, proven after a pass, at-risk once the pass is older than two intervals, at-risk with only failures", async () => {
    const org = await makeOrg();
    const { signer } = await drillReady(org);
    const state = async (databaseId = org.databaseId) =>
      RestorabilitySchema.parse(
        (await call("GET", `/v1/databases/${databaseId}/restorability`, { token: org.viewerToken })).body,
      );
    expect(await state()).toMatchObject({
      status: "no-policy",
      policy: null,
      intervalSeconds: null,
      nextDrillAt: null,
    });
    const policy = (await putPolicy(org, { cron: "0 4 * * 0" })).body;
    const never = await state();
    expect(never).toMatchObject({ status: "never-proven", policy, intervalSeconds: 7 * 86_400, lastPass: null });
    expect(Date.parse(never.nextDrillAt!)).toBeGreaterThan(Date.now());
    const job = await leasedDrill(org);
    await sendReceipt(org.runnerToken, job.jobId, job.leaseId, receiptOf(job, signer));
    const proven = await state();
    expect(proven).toMatchObject({ status: "proven", lastPass: { id: job.drillId }, lastDrill: { id: job.drillId } });
    await env.DB.prepare("UPDATE drills SET finished_at = ? WHERE id = ?")
      .bind(Date.now() - 15 * DAY, job.drillId)
      .run();
    expect((await state()).status).toBe("at-risk");

    const other = await newDatabase(org);
    await completedBackup(org, other);
    await putPolicy(org, { cron: "0 * * * *" }, other);
    const failing = await leasedDrill(org, other);
    await sendReceipt(
      org.runnerToken,
      failing.jobId,
      failing.leaseId,
      receiptOf(failing, signer, failedPredicate(failing)),
    );
    expect(await state(other)).toMatchObject({
      status: "at-risk",
      intervalSeconds: 3600,
      lastPass: null,
      lastDrill: { id: failing.drillId, status: "failed" },
    });
  });
});

describe("another org", () => {
  it("sees none of an org's drills, policies or restorability, cannot queue its drills, and its runner cannot claim or conclude them", async () => {
    const a = await makeOrg();
    const b = await makeOrg();
    const { signer } = await drillReady(a);
    await putPolicy(a, {});
    const job = await leasedDrill(a);
    const queued = (await drillNow(a)).body;
    const base = `/v1/databases/${a.databaseId}`;
    await writesNothing(a, async () => {
      for (const [method, path, token, json] of [
        ["GET", `${base}/drill-policy`, b.viewerToken, undefined],
        ["PUT", `${base}/drill-policy`, b.adminToken, {}],
        ["DELETE", `${base}/drill-policy`, b.adminToken, undefined],
        ["POST", `${base}/drills`, b.operatorToken, {}],
        ["GET", `${base}/restorability`, b.viewerToken, undefined],
        ["GET", `/v1/drills/${job.drillId}`, b.viewerToken, undefined],
      ] as const)
        expect((await call(method, path, { token, json })).status, `${method} ${path}`).toBe(404);
      const stolen = await sendReceipt(b.runnerToken, job.jobId, job.leaseId, receiptOf(job, signer));
      expect(stolen.status).toBe(409);
      expect(stolen.body.error.code).toBe("lease-lost");
    });
    expect((await call("GET", "/v1/drills", { token: b.viewerToken })).body.items).toEqual([]);
    expect((await call("GET", `/v1/drills?databaseId=${a.databaseId}`, { token: b.viewerToken })).body.items).toEqual(
      [],
    );
    expect((await call("GET", "/v1/jobs?kind=drill", { token: b.viewerToken })).body.items).toEqual([]);
    await drillReady(b);
    expect((await claimDrill(b.runnerToken, [a.databaseId])).body.job).toBeNull();
    expect((await call("GET", `/v1/drills/${queued.id}`, { token: a.viewerToken })).body.status).toBe("queued");
  });
});
