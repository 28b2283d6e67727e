// Alert conditions and incidents through the real cron tick in workerd: the tick is the dead-man's switch,
// so each condition here arises from nothing being done (a job nobody takes, a runner that never polls),
// opens one incident (logged alert.opened once, however many ticks see it), and resolves, logged
// alert.resolved, only after two ticks in a row saw it clear.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decodeEntry, utf8 } from "@walwarden/verifier";
import { runCronTick } from "../src/scheduling/cron-tick.js";
import { ARTIFACT_SHA256, backupResult } from "./support/backup-result.js";
import { call, makeOrg, type Org } from "./support/client.js";
import { logEntries } from "./support/log-checks.js";
import { drillReady, failedPredicate, leasedDrill, putPolicy, receiptOf, sendReceipt } from "./support/drill-calls.js";
import { claimed, readyOrg, report } from "./support/restore-calls.js";
import { leasedJob } from "./support/runner-calls.js";
import { settleLogs } from "./support/storage-dump.js";

const MIN = 60_000;

/** The org's incidents, oldest first. */
async function incidents(org: Org) {
  const { results } = await env.DB.prepare(
    "SELECT id, condition, subject, open_key, severity, summary, opened_at, resolved_at FROM alert_incidents WHERE org_id = ? ORDER BY opened_at, condition",
  )
    .bind(org.orgId)
    .all<{
      id: string;
      condition: string;
      subject: string;
      open_key: string | null;
      severity: string;
      summary: string;
      resolved_at: number | null;
    }>();
  return results;
}

/** The org's alert.* log entries, decoded. */
async function alertLog(org: Org) {
  return (await logEntries(org.adminToken))
    .map((t) => decodeEntry(utf8(t)))
    .flatMap((e) => (e.ok && e.value.type.startsWith("alert.") ? [e.value] : []));
}

/** A schedule whose every hourly slot of the last three hours is already past, as if made three hours ago. */
async function scheduleMadeHoursAgo(org: Org, now: number): Promise<void> {
  const made = await call("POST", "/v1/schedules", {
    token: org.adminToken,
    json: { databaseId: org.databaseId, cron: "0 * * * *", timezone: "UTC", targetRpoMinutes: 60 },
  });
  expect(made.status).toBe(201);
  const slot = Math.floor((now - 2 * 60 * MIN) / (60 * MIN)) * 60 * MIN;
  await env.DB.prepare("UPDATE schedules SET created_at = ?1, next_run_at = ?2 WHERE id = ?3")
    .bind(now - 3 * 60 * MIN, slot, made.body.id)
    .run();
}

/** Claims the org's waiting backup job with its runner and completes it, as a runner does. */
async function completeBackup(org: Org): Promise<void> {
  const claimed = await call("POST", "/v1/runner/claim", {
    token: org.runnerToken,
    json: { version: "0.1.0", databases: [org.databaseId] },
  });
  const job = claimed.body.job;
  expect(job).not.toBeNull();
  const at = new Date().toISOString();
  const done = await call("POST", `/v1/runner/jobs/${job.jobId}/complete`, {
    token: org.runnerToken,
    json: {
      leaseId: job.leaseId,
      artifactSha256: ARTIFACT_SHA256,
      result: backupResult(org.runnerId, { startedAt: at, completedAt: at }),
    },
  });
  expect(done.status).toBe(200);
}

describe("alert incidents (the cron tick in workerd)", () => {
  it("a slot nobody backs up opens backup.missed and rpo.breached once each; a backup clears them, resolved after two clear ticks", async () => {
    const org = await makeOrg();
    const now = Date.now();
    await scheduleMadeHoursAgo(org, now);
    // The tick queues the past slot; nothing takes it.
    await runCronTick(env, now);
    await runCronTick(env, now + 1000);
    const open = await incidents(org);
    expect(open.map((i) => [i.condition, i.subject, i.severity, i.open_key !== null])).toEqual([
      ["backup.missed", `database:${org.databaseId}`, "critical", true],
      ["rpo.breached", `database:${org.databaseId}`, "critical", true],
    ]);
    expect(open[0]!.summary).toMatch(/backup of main is missing: no runner has taken it/);
    expect(open[1]!.summary).toBe(
      `main has no backup since its schedule began at ${new Date(now - 3 * 60 * MIN).toISOString().slice(0, 16)}Z (target RPO 60 min)`,
    );
    let logged = await alertLog(org);
    expect(logged.map((e) => [e.type, e.actor, (e.data as { condition: string }).condition])).toEqual([
      ["alert.opened", "system:cron", "backup.missed"],
      ["alert.opened", "system:cron", "rpo.breached"],
    ]);
    expect(logged[0]!.data).toEqual({
      incidentId: open[0]!.id,
      condition: "backup.missed",
      subject: `database:${org.databaseId}`,
      severity: "critical",
      openedAt: new Date(now).toISOString(),
    });

    // A runner backs the database up; one clear tick is not enough (flapping is damped), two are.
    await completeBackup(org);
    await runCronTick(env, now + 2000);
    expect((await incidents(org)).every((i) => i.open_key !== null && i.resolved_at === null)).toBe(true);
    await runCronTick(env, now + 3000);
    const after = await incidents(org);
    expect(after.map((i) => [i.condition, i.open_key, i.resolved_at])).toEqual([
      ["backup.missed", null, now + 3000],
      ["rpo.breached", null, now + 3000],
    ]);
    logged = await alertLog(org);
    expect(logged.map((e) => [e.type, (e.data as { condition: string }).condition])).toEqual([
      ["alert.opened", "backup.missed"],
      ["alert.opened", "rpo.breached"],
      ["alert.resolved", "backup.missed"],
      ["alert.resolved", "rpo.breached"],
    ]);
    expect(logged[2]!.data).toMatchObject({
      openedAt: new Date(now).toISOString(),
      resolvedAt: new Date(now + 3000).toISOString(),
    });
    // Quiet afterwards: nothing opens again.
    await runCronTick(env, now + 4000);
    expect(await alertLog(org)).toHaveLength(4);
    // The API filters them by subject and condition (the dashboard's per-database view).
    const list = async (q: string) => (await call("GET", `/v1/alerts?${q}`, { token: org.viewerToken })).body;
    const subject = encodeURIComponent(`database:${org.databaseId}`);
    expect((await list(`subject=${subject}`)).items.map((i: { condition: string }) => i.condition).sort()).toEqual([
      "backup.missed",
      "rpo.breached",
    ]);
    expect((await list(`subject=${subject}&condition=rpo.breached`)).items).toHaveLength(1);
    expect((await list(`subject=${encodeURIComponent("database:db_other")}`)).items).toEqual([]);
    expect((await call("GET", "/v1/alerts?condition=disk.full", { token: org.viewerToken })).status).toBe(400);
  });

  it("a runner that never polls is silent after ten minutes; one that polls again resolves it", async () => {
    const org = await makeOrg();
    const now = Date.now();
    await runCronTick(env, now + 5 * MIN);
    expect((await incidents(org)).filter((i) => i.condition === "runner.silent")).toEqual([]);
    await runCronTick(env, now + 11 * MIN);
    const silent = (await incidents(org)).filter((i) => i.condition === "runner.silent");
    expect(silent.map((i) => [i.subject, i.severity, i.summary])).toEqual([
      [`runner:${org.runnerId}`, "critical", "Runner runner one has never polled the API"],
    ]);
    // It polls (a claim with nothing to do), seen by two ticks soon after.
    await call("POST", "/v1/runner/claim", {
      token: org.runnerToken,
      json: { version: "0.1.0", databases: [org.databaseId] },
    });
    await runCronTick(env, Date.now() + 1000);
    await runCronTick(env, Date.now() + 2000);
    const after = (await incidents(org)).filter((i) => i.condition === "runner.silent");
    expect(after.map((i) => i.open_key)).toEqual([null]);
    expect((await alertLog(org)).map((e) => e.type)).toEqual(["alert.opened", "alert.resolved"]);
  });

  it("a backup that failed for good opens backup.failed with its (redacted) reason", async () => {
    const org = await makeOrg();
    const { jobId } = (
      await call("POST", `/v1/databases/${org.databaseId}/backups`, { token: org.operatorToken, json: {} })
    ).body;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const job = (
        await call("POST", "/v1/runner/claim", {
          token: org.runnerToken,
          json: { version: "0.1.0", databases: [org.databaseId] },
        })
      ).body.job;
      expect(job.jobId).toBe(jobId);
      const failed = await call("POST", `/v1/runner/jobs/${jobId}/fail`, {
        token: org.runnerToken,
        json: {
          leaseId: job.leaseId,
          reason: "password authentication failed for user app (PGPASSWORD=hunter2)",
          retryable: true,
        },
      });
      expect(failed.status).toBe(200);
    }
    await runCronTick(env, Date.now());
    const failed = (await incidents(org)).filter((i) => i.condition === "backup.failed");
    expect(failed.map((i) => [i.subject, i.summary])).toEqual([
      [`database:${org.databaseId}`, "Backups of main failed after 3 attempt(s)"],
    ]);
    const { results } = await env.DB.prepare("SELECT detail FROM alert_incidents WHERE id = ?")
      .bind(failed[0]!.id)
      .all<{ detail: string }>();
    expect(results[0]!.detail).toContain("password authentication failed");
    expect(results[0]!.detail).not.toContain("hunter2");
  });

  it("events are notified once each: a restore issued and one that failed reach a channel that takes them, nothing is logged again", async () => {
    const org = await readyOrg();
    const made = await call("POST", "/v1/alert-channels", {
      token: org.adminToken,
      json: {
        name: "restores",
        target: { kind: "webhook", url: "https://hooks.example.com/restores" },
        conditions: ["restore.issued", "restore.failed"],
        minSeverity: "info",
      },
    });
    expect(made.status).toBe(201);
    const c = await claimed(org);
    await report(c.restoreId, c.claim.progressToken, { state: "downloading" });
    const failed = await report(c.restoreId, c.claim.progressToken, {
      state: "failed",
      stage: "download",
      reason: "connection reset by peer",
    });
    expect(failed.status).toBe(200);
    await settleLogs();
    const first = await runCronTick(env, Date.now());
    expect(first.alerts.events).toBeGreaterThanOrEqual(2);
    const events = (await incidents(org)).filter((i) => i.condition.startsWith("restore."));
    expect(events.map((i) => [i.condition, i.subject, i.open_key, i.summary]).sort()).toEqual([
      ["restore.failed", `restore:${c.restoreId}`, null, "A restore of main failed at download"],
      [
        "restore.issued",
        `restore:${c.restoreId}`,
        null,
        expect.stringMatching(/^A restore of main was issued by token:/),
      ],
    ]);
    const { results } = await env.DB.prepare(
      "SELECT kind, incident_id FROM alert_deliveries WHERE channel_id = ? ORDER BY incident_id",
    )
      .bind(made.body.id)
      .all<{ kind: string; incident_id: string }>();
    expect(results.map((r) => r.kind)).toEqual(["opened", "opened"]);
    expect(new Set(results.map((r) => r.incident_id))).toEqual(new Set(events.map((i) => i.id)));
    // Seen again by the next tick: no new incident, no new delivery; and no alert.* entry in the log.
    const second = await runCronTick(env, Date.now() + 1000);
    expect(second.alerts.events).toBe(0);
    expect((await incidents(org)).filter((i) => i.condition.startsWith("restore."))).toHaveLength(2);
    expect((await alertLog(org)).filter((e) => e.type === "alert.opened" || e.type === "alert.resolved")).toEqual([]);
  });

  it("each channel gets what it asked for: its conditions, its least severity, its repeat interval, only while enabled", async () => {
    const org = await makeOrg();
    const now = Date.now();
    await scheduleMadeHoursAgo(org, now);
    const channel = async (name: string, extra: Record<string, unknown>) => {
      const made = await call("POST", "/v1/alert-channels", {
        token: org.adminToken,
        json: { name, target: { kind: "webhook", url: `https://hooks.example.com/${name}` }, ...extra },
      });
      expect(made.status).toBe(201);
      return made.body.id as string;
    };
    const repeating = await channel("repeating", { conditions: ["backup.missed"], repeatMinutes: 5 });
    const once = await channel("once", { conditions: ["backup.missed"], repeatMinutes: null });
    const drillsOnly = await channel("drills", { conditions: ["drill.failed"] });
    const criticalOnly = await channel("all", { minSeverity: "critical", conditions: [] });
    const disabled = await channel("off", { enabled: false });
    await runCronTick(env, now);
    await runCronTick(env, now + 6 * MIN);
    await runCronTick(env, now + 7 * MIN);
    await runCronTick(env, now + 11 * MIN);
    const { results } = await env.DB.prepare(
      "SELECT d.channel_id, d.kind, d.id, i.condition FROM alert_deliveries d JOIN alert_incidents i ON i.id = d.incident_id WHERE d.org_id = ?",
    )
      .bind(org.orgId)
      .all<{ channel_id: string; kind: string; id: string; condition: string }>();
    const of = (id: string) =>
      results
        .filter((r) => r.channel_id === id)
        .map((r) => `${r.condition} ${r.kind}${r.id.match(/repeated-\d+$/) ? ` ${r.id.split(".").at(-1)}` : ""}`)
        .sort();
    expect(of(repeating)).toEqual([
      "backup.missed opened",
      "backup.missed repeated repeated-1",
      "backup.missed repeated repeated-2",
    ]);
    expect(of(once)).toEqual(["backup.missed opened"]);
    expect(of(drillsOnly)).toEqual([]);
    // Every condition at critical and above: the missed backup, the breached RPO, and at +11 min the silent runner.
    expect(of(criticalOnly)).toEqual(["backup.missed opened", "rpo.breached opened", "runner.silent opened"]);
    expect(of(disabled)).toEqual([]);
  });

  it("a runner that froze mid-backup: the tick alone raises backup.missed and runner.silent", async () => {
    const org = await makeOrg();
    const now = Date.now();
    await scheduleMadeHoursAgo(org, now);
    await runCronTick(env, now);
    // The runner takes the job, then nothing: no heartbeat, no completion, no poll.
    const claimed = await call("POST", "/v1/runner/claim", {
      token: org.runnerToken,
      json: { version: "0.1.0", databases: [org.databaseId] },
    });
    expect(claimed.body.job).not.toBeNull();
    await runCronTick(env, now + 11 * MIN);
    const open = (await incidents(org)).filter((i) => i.open_key !== null).map((i) => [i.condition, i.subject]);
    expect(open).toEqual(
      expect.arrayContaining([
        ["backup.missed", `database:${org.databaseId}`],
        ["runner.silent", `runner:${org.runnerId}`],
      ]),
    );
  });

  it("a failed drill opens drill.failed with its reason; a policy with no pass in two intervals opens drill.overdue", async () => {
    const org = await readyOrg();
    const { signer } = await drillReady(org);
    const job = await leasedDrill(org);
    expect(
      (await sendReceipt(org.runnerToken, job.jobId, job.leaseId, receiptOf(job, signer, failedPredicate(job)))).status,
    ).toBe(200);
    await runCronTick(env, Date.now());
    let drills = (await incidents(org)).filter((i) => i.condition.startsWith("drill."));
    expect(drills.map((i) => [i.condition, i.severity, i.summary])).toEqual([
      ["drill.failed", "warning", "The latest restore drill of main failed"],
    ]);
    // A weekly policy set 15 days ago and nothing has passed since: overdue (two intervals: 14 days).
    expect((await putPolicy(org, { cron: "0 4 * * 0" })).status).toBe(200);
    await env.DB.prepare("UPDATE drill_policies SET created_at = ? WHERE database_id = ?")
      .bind(Date.now() - 15 * 86_400_000, org.databaseId)
      .run();
    await runCronTick(env, Date.now() + 1000);
    drills = (await incidents(org)).filter((i) => i.condition.startsWith("drill."));
    expect(drills.map((i) => i.condition).sort()).toEqual(["drill.failed", "drill.overdue"]);
    expect(drills.find((i) => i.condition === "drill.overdue")!.summary).toMatch(
      /^main has never been proven restorable/,
    );
  });

  it("a job leased far longer than the bound opens job.stuck", async () => {
    const org = await makeOrg();
    const job = await leasedJob(org);
    // Heartbeats keep its lease; it has run for seven hours (the bound is six).
    const since = Date.now() - 7 * 60 * MIN;
    await env.DB.prepare("UPDATE jobs SET started_at = ?1, lease_expires_at = ?2 WHERE id = ?3")
      .bind(since, Date.now() + 60 * MIN, job.jobId)
      .run();
    await runCronTick(env, Date.now());
    const stuck = (await incidents(org)).filter((i) => i.condition === "job.stuck");
    expect(stuck.map((i) => [i.subject, i.severity, i.summary])).toEqual([
      [
        `job:${job.jobId}`,
        "warning",
        `A backup job of main has been running since ${new Date(since).toISOString().slice(0, 16)}Z`,
      ],
    ]);
  });

  it("a mass event sends at most 1,000 delivery messages a tick; the rest go out on the next ticks", async () => {
    const org = await makeOrg();
    const made = await call("POST", "/v1/alert-channels", {
      token: org.adminToken,
      json: {
        name: "mass",
        target: { kind: "webhook", url: "https://hooks.example.com/mass" },
        conditions: ["runner.silent"],
      },
    });
    expect(made.status).toBe(201);
    const now = Date.now();
    const runners = Array.from({ length: 1_199 }, (_, i) => ({
      id: `rnr_mass${String(i).padStart(4, "0")}`,
      name: `r${i}`,
    }));
    await env.DB.prepare(
      `INSERT INTO runners (id, org_id, name, token_sha256, created_at)
       SELECT value ->> '$.id', ?1, value ->> '$.name', value ->> '$.id', ?2 FROM json_each(?3)`,
    )
      .bind(org.orgId, now, JSON.stringify(runners))
      .run();
    // 1,200 silent runners (the org's own and 1,199 more) at once.
    const first = await runCronTick(env, now + 11 * MIN);
    const mine = async () =>
      (
        await env.DB.prepare("SELECT count(*) AS n FROM alert_deliveries WHERE channel_id = ?")
          .bind(made.body.id)
          .first<{ n: number }>()
      )?.n;
    expect(await mine()).toBe(1_200);
    expect(first.alerts.deliveriesQueued).toBeLessThanOrEqual(1_000);
    expect(first.alerts.deliveriesDeferred).toBeGreaterThanOrEqual(200);
    const second = await runCronTick(env, now + 12 * MIN);
    expect(second.alerts.deliveriesRedriven).toBeGreaterThanOrEqual(200);
    expect(second.alerts.deliveriesRedriven).toBeLessThanOrEqual(1_000);
  });
});
