// Retention in the Worker (verifier/SPEC.md §12): policies and their log entries, the cron tick deciding
// with the verifier's retentionDecision and queuing prune jobs, a runner (this test, through the API as the
// real runner calls it) claiming them and reporting what it did, the backup.expired entries an auditor
// recomputes from the log alone, blocked outcomes logged when they change, and the lease fencing the report.
// A fake clock (Date only) moves the Worker, its Ledger and the tick together.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type EventDataOf,
  type LogEntry,
  lockDaysFor,
  recomputeExpiries,
  type RetainedBackup,
  type RetentionPolicy,
  retentionDecision,
} from "@walwarden/verifier";
import {
  type ClaimedPruneJob,
  PruneReportResponseSchema,
  RetentionPolicyResponseSchema,
  RetentionStateSchema,
} from "@walwarden/verifier/wire";
import { CountingD1 } from "../src/lib/d1-counter.js";
import { pruneJobId, queueDuePrunes } from "../src/retention/queue-prunes.js";
import { runCronTick } from "../src/scheduling/cron-tick.js";
import { call, makeOrg, type Org } from "./support/client.js";
import { claimDrill, drillNow, receiptOf, sendReceipt, withRunnerKey } from "./support/drill-calls.js";
import {
  backupAt,
  claimPrune,
  decodedLog,
  deletedKeysOf,
  keyOf,
  leasedPrune,
  liveBackupIds,
  policyPath,
  putRetention,
  reportOf,
  retentionOf,
  sendReport,
} from "./support/retention-calls.js";
import { claim, leasedJob, onJob } from "./support/runner-calls.js";
import { dumpD1, dumpLedger, settleLogs } from "./support/storage-dump.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Where each test's fake clock starts. */
const T0 = Date.UTC(2025, 0, 1, 2, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(async () => {
  vi.useRealTimers();
  // This file's D1 is shared by its tests: each test's ticks decide its own databases only, so the policies
  // (and waiting prunes) of the tests before it go.
  await env.DB.batch([
    env.DB.prepare(
      "DELETE FROM prune_jobs WHERE job_id IN (SELECT id FROM jobs WHERE kind = 'prune' AND status = 'queued')",
    ),
    env.DB.prepare("DELETE FROM jobs WHERE kind = 'prune' AND status = 'queued'"),
    env.DB.prepare("DELETE FROM retention_policies"),
  ]);
});

/** Asserts that `act` (refused requests) writes nothing to D1 or the org's Ledger. */
async function writesNothing(org: Org, act: () => Promise<unknown>): Promise<void> {
  const before = { d1: await dumpD1(), ledger: await dumpLedger(org.orgId) };
  await act();
  expect({ d1: await dumpD1(), ledger: await dumpLedger(org.orgId) }).toEqual(before);
}

const adminActor = async (org: Org) => {
  const tokens = await call("GET", "/v1/tokens?limit=100", { token: org.adminToken });
  return `token:${tokens.body.items.find((t: { name: string }) => t.name === "admin token").id}`;
};

/** The org's entries of some types, in log order. */
const entriesOf = async (org: Org, ...types: string[]) => (await decodedLog(org)).filter((e) => types.includes(e.type));

/** Ticks at `t` with the log copy settled first (the decision reads each backup's instant there). */
async function tickAt(t: number) {
  vi.setSystemTime(t);
  await settleLogs();
  return runCronTick(env, t);
}

/** The org's backups as the log has them: each backup.completed entry's backup id and instant. */
const completedInLog = (log: LogEntry[]): RetainedBackup[] =>
  log
    .filter((e) => e.type === "backup.completed")
    .map((e) => ({ backupId: (e.data as EventDataOf<"backup.completed">).backupId, at: Date.parse(e.at) }));

describe("retention policies", () => {
  it("set, read, replaced and removed by an admin, each logged before it applies with the policy normalised", async () => {
    const org = await makeOrg();
    const path = policyPath(org.databaseId);
    expect((await call("GET", path, { token: org.viewerToken })).status).toBe(404);
    const set = await putRetention(org, { daily: 7, weekly: 0, monthly: 12, timezone: "europe/oslo" });
    expect(set.status).toBe(200);
    const normalised = { daily: 7, monthly: 12, timezone: "Europe/Oslo" };
    expect(RetentionPolicyResponseSchema.parse(set.body)).toEqual({
      databaseId: org.databaseId,
      policy: normalised,
      lockDays: 372,
      updatedAt: iso(T0),
    });
    expect((await call("GET", path, { token: org.viewerToken })).body).toEqual(set.body);
    const replaced = await putRetention(org, { keepLast: 3 });
    expect(replaced.body).toMatchObject({ policy: { keepLast: 3, timezone: "UTC" }, lockDays: null });
    // updatedAt only grows, even within one millisecond of the fake clock.
    expect(Date.parse(replaced.body.updatedAt)).toBeGreaterThan(T0);
    expect((await call("DELETE", path, { token: org.adminToken })).status).toBe(204);
    expect((await call("GET", path, { token: org.viewerToken })).status).toBe(404);
    expect((await call("DELETE", path, { token: org.adminToken })).status).toBe(404);
    const actor = await adminActor(org);
    expect(
      (await entriesOf(org, "retention.policy_set", "retention.policy_removed")).map((e) => [e.type, e.actor, e.data]),
    ).toEqual([
      ["retention.policy_set", actor, { databaseId: org.databaseId, policy: normalised }],
      ["retention.policy_set", actor, { databaseId: org.databaseId, policy: { keepLast: 3, timezone: "UTC" } }],
      ["retention.policy_removed", actor, { databaseId: org.databaseId }],
    ]);
  });

  it.each([
    [{ daily: 7, timezone: "Mars/Olympus_Mons" }, /timezone: not a known IANA time zone/],
    [{}, /a policy keeps something/],
    [{ daily: 0, minAgeDays: 0, timezone: "UTC" }, /a policy keeps something/],
    [{ daily: 7, retentionDays: 30 }, /retentionDays/],
    [{ daily: 1001 }, /daily/],
    [{ weekly: 1.5 }, /weekly/],
    [{ minAgeDays: 36_501 }, /minAgeDays/],
    [{ keepLast: -1 }, /keepLast/],
  ])("refuses %j with a 400 naming what is wrong, and writes nothing", async (json, message) => {
    const org = await makeOrg();
    await writesNothing(org, async () => {
      const r = await putRetention(org, json);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(message);
    });
  });

  it("only an admin changes a policy; another org's or a deleted database is a 404 on every route; nothing written", async () => {
    const org = await makeOrg();
    const other = await makeOrg();
    expect((await putRetention(other, { daily: 7 })).status).toBe(200);
    const gone = (
      await call("POST", "/v1/databases", { token: org.adminToken, json: { name: "gone", provider: "rds" } })
    ).body.id;
    expect((await call("DELETE", `/v1/databases/${gone}`, { token: org.adminToken })).status).toBe(204);
    await writesNothing(org, async () => {
      expect(
        (await call("PUT", policyPath(org.databaseId), { token: org.operatorToken, json: { daily: 7 } })).status,
      ).toBe(403);
      expect((await call("DELETE", policyPath(org.databaseId), { token: org.operatorToken })).status).toBe(403);
      for (const id of [other.databaseId, gone]) {
        expect((await call("GET", policyPath(id), { token: org.viewerToken })).status).toBe(404);
        expect((await putRetention(org, { daily: 7 }, id)).status).toBe(404);
        expect((await call("DELETE", policyPath(id), { token: org.adminToken })).status).toBe(404);
        expect((await retentionOf(org, id)).status).toBe(404);
      }
    });
    expect((await call("GET", policyPath(other.databaseId), { token: other.viewerToken })).status).toBe(200);
  });

  it("a backup's claim carries lockDaysFor(policy) as minLockDays: null without one or for keepLast only", async () => {
    const org = await makeOrg();
    const minLock = async () => {
      const job = await leasedJob(org);
      await onJob(org.runnerToken, job.jobId, "fail", { leaseId: job.leaseId, reason: "test", retryable: false });
      return job.minLockDays;
    };
    expect(await minLock()).toBeNull();
    for (const [policy, days] of [
      [{ daily: 7, monthly: 12 }, 372],
      [{ keepLast: 5 }, null],
      [{ minAgeDays: 30, weekly: 8 }, 56],
      [{ hourly: 36 }, 2],
    ] as const) {
      expect((await putRetention(org, policy)).body.lockDays).toBe(days);
      expect(await minLock()).toBe(days);
      expect(days).toBe(lockDaysFor({ ...policy, timezone: "UTC" }));
    }
  });
});

describe("each rule of a policy", () => {
  it("keeps what it says in GET /v1/databases/:id/retention: keepLast, hourly, daily (in its zone), weekly, monthly, yearly, minAgeDays", async () => {
    // Before the first backup: a log's instants never go back, so the org starts earlier.
    vi.setSystemTime(Date.parse("2023-01-01T00:00:00Z"));
    const org = await makeOrg();
    const at = {
      y23: "2023-07-01T12:00:00Z",
      y24a: "2024-03-01T12:00:00Z",
      y24b: "2024-09-01T12:00:00Z",
      d31: "2025-05-31T12:00:00Z",
      h1005: "2025-06-01T10:05:00Z",
      h1035: "2025-06-01T10:35:00Z",
      h1105: "2025-06-01T11:05:00Z",
      b2130: "2025-06-01T21:30:00Z",
      c2230: "2025-06-01T22:30:00Z",
    };
    const id: Record<string, string> = {};
    for (const [n, [name, when]] of Object.entries(at).entries()) id[name] = await backupAt(org, Date.parse(when), n);
    const named = Object.fromEntries(Object.entries(id).map(([k, v]) => [v, k]));
    vi.setSystemTime(Date.parse("2025-06-02T00:00:00Z"));
    const kept = async (policy: unknown) => {
      expect((await putRetention(org, policy)).status).toBe(200);
      const state = RetentionStateSchema.parse((await retentionOf(org)).body);
      return state.verdicts.filter((v) => v.keep).map((v) => named[v.backupId]);
    };
    // Newest first; the newest (c2230) is always kept.
    expect(await kept({ keepLast: 3 })).toEqual(["c2230", "b2130", "h1105"]);
    expect(await kept({ hourly: 3 })).toEqual(["c2230", "b2130", "h1105"]);
    expect(await kept({ hourly: 4 })).toEqual(["c2230", "b2130", "h1105", "h1035"]);
    expect(await kept({ daily: 2 })).toEqual(["c2230", "d31"]);
    // 22:30Z is 00:30 on 2 June in Oslo and 21:30Z still 1 June: another two days.
    expect(await kept({ daily: 2, timezone: "Europe/Oslo" })).toEqual(["c2230", "b2130"]);
    // 31 May and 1 June 2025 are one ISO week (W22); 1 September 2024 is the newest of the week before them.
    expect(await kept({ weekly: 2 })).toEqual(["c2230", "y24b"]);
    expect(await kept({ monthly: 2 })).toEqual(["c2230", "d31"]);
    expect(await kept({ yearly: 3 })).toEqual(["c2230", "y24b", "y23"]);
    expect(await kept({ minAgeDays: 1 })).toEqual(["c2230", "b2130", "h1105", "h1035", "h1005"]);
  });
});

describe("a year of backups under {daily: 7, weekly: 4, monthly: 12}", () => {
  it("ticks queue prunes, a runner deletes every target, and exactly what retentionDecision keeps remains; every backup.expired recomputes from the log alone", async () => {
    const org = await makeOrg();
    const ids: string[] = [];
    for (let n = 0; n < 366; n++) ids.push(await backupAt(org, T0 + n * DAY + (n % 5) * MINUTE, n));
    const keyById = new Map(ids.map((id, n) => [id, keyOf(org.databaseId, n)]));
    // Backup 100's drill passes: the newest passing drill's backup is protected.
    vi.setSystemTime(T0 + 366 * DAY);
    const signer = await withRunnerKey(org);
    expect((await drillNow(org, { backupId: ids[100] })).status).toBe(202);
    const drill = (await claimDrill(org.runnerToken, [org.databaseId])).body.job;
    expect((await sendReceipt(org.runnerToken, drill.jobId, drill.leaseId, receiptOf(drill, signer))).status).toBe(200);
    const policy: RetentionPolicy = { daily: 7, weekly: 4, monthly: 12, timezone: "UTC" };
    expect((await putRetention(org, { daily: 7, weekly: 4, monthly: 12 })).status).toBe(200);

    let t = T0 + 366 * DAY + HOUR;
    const prunes: ClaimedPruneJob[] = [];
    for (;;) {
      t += MINUTE;
      const stats = await tickAt(t);
      if (stats.prunesQueued === 0) break;
      expect(stats).toMatchObject({ retentionDecided: 1, prunesQueued: 1 });
      // The same tick again queues nothing new.
      expect((await runCronTick(env, t)).prunesQueued).toBe(0);
      vi.setSystemTime(t + 10_000);
      const job = await leasedPrune(org);
      expect(job).toMatchObject({ jobId: pruneJobId(org.databaseId, t), decidedAt: iso(t), policy, attempt: 1 });
      expect(job.targets.length).toBe(stats.pruneTargets);
      expect(job.targets.length).toBeLessThanOrEqual(100);
      expect(job.targets.map((x) => x.backupId)).not.toContain(ids[100]);
      for (const x of job.targets) {
        const n = ids.indexOf(x.backupId);
        expect(x.artifact).toMatchObject({
          bucket: "acme-backups",
          key: keyById.get(x.backupId),
          versionId: n % 2 === 0 ? `v${n}` : null,
        });
      }
      const r = await sendReport(org.runnerToken, job.jobId, reportOf(job));
      expect(r.status).toBe(200);
      expect(PruneReportResponseSchema.parse(r.body)).toEqual({ expired: job.targets.length, blocked: 0 });
      prunes.push(job);
      expect(prunes.length).toBeLessThan(10);
    }
    const log = await decodedLog(org);
    const kept = retentionDecision(completedInLog(log), policy, t, new Set([ids[100]!]));
    if (!kept.ok) throw new Error(kept.message);
    const keptIds = kept.value.filter((v) => v.keep).map((v) => v.backupId);
    expect(keptIds).toContain(ids[100]);
    // The 7 newest days; 2 more weeks (the newest two are among those days); 10 more months (the newest two
    // are too); and the protected one: 20 of 366.
    expect(keptIds).toHaveLength(20);
    expect(await liveBackupIds(org.databaseId)).toEqual([...keptIds].sort());
    // GET /v1/backups still lists every backup, each deleted one with when the prune report was accepted.
    const listed: { id: string; expiredAt: string | null }[] = [];
    for (let cursor: string | null = null; ; ) {
      const path: string = `/v1/backups?databaseId=${org.databaseId}&limit=200${cursor ? `&cursor=${cursor}` : ""}`;
      const page = (await call("GET", path, { token: org.viewerToken })).body;
      listed.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(listed).toHaveLength(366);
    expect(
      listed
        .filter((b) => b.expiredAt === null)
        .map((b) => b.id)
        .sort(),
    ).toEqual([...keptIds].sort());
    // Each at its report's acceptance: the Worker's own clock, not the ticks' fake one.
    const deletedAt = listed.flatMap((b) => (b.expiredAt === null ? [] : [Date.parse(b.expiredAt)]));
    expect(deletedAt).toHaveLength(366 - keptIds.length);
    for (const at of deletedAt) expect(Math.abs(at - Date.now())).toBeLessThan(10 * MINUTE);
    expect(prunes.flatMap((p) => p.targets).length).toBe(366 - keptIds.length);
    expect(prunes.length).toBe(Math.ceil((366 - keptIds.length) / 100));
    // Nothing more to do: another tick, and one a day later, queue nothing.
    expect((await tickAt(t + MINUTE)).prunesQueued).toBe(0);
    expect((await tickAt(t + DAY)).prunesQueued).toBe(0);

    // Every backup.expired entry: its data, and the auditor's recomputation from the log alone.
    const expired = log.filter((e) => e.type === "backup.expired");
    expect(expired.map((e) => (e.data as EventDataOf<"backup.expired">).backupId).sort()).toEqual(
      ids.filter((id) => !keptIds.includes(id)).sort(),
    );
    const completedById = new Map(
      log.filter((e) => e.type === "backup.completed").map((e) => [(e.data as { backupId: string }).backupId, e]),
    );
    for (const e of expired) {
      const d = e.data as EventDataOf<"backup.expired">;
      const c = completedById.get(d.backupId)!;
      const cd = c.data as EventDataOf<"backup.completed">;
      const job = prunes.find((p) => p.targets.some((x) => x.backupId === d.backupId))!;
      const n = ids.indexOf(d.backupId);
      expect(e.actor).toBe(`runner:${org.runnerId}`);
      expect(d).toEqual({
        backupId: d.backupId,
        databaseId: org.databaseId,
        jobId: job.jobId,
        runnerId: org.runnerId,
        objectKey: keyById.get(d.backupId),
        versionId: n % 2 === 0 ? `v${n}` : null,
        artifactSha256: cd.artifact.sha256,
        manifestSha256: cd.manifestSha256,
        completedAt: c.at,
        decidedAt: job.decidedAt,
        policy,
        reason: "unkept",
        deletedKeys: deletedKeysOf(keyById.get(d.backupId)!),
      });
      const decidedAt = Date.parse(d.decidedAt);
      const expiredBefore = new Set(
        log
          .filter((x) => x.type === "backup.expired" && Date.parse(x.at) < decidedAt)
          .map((x) => (x.data as EventDataOf<"backup.expired">).backupId),
      );
      const inputs = completedInLog(log).filter(
        (b) => b.at >= Date.parse(d.completedAt) && b.at <= decidedAt && !expiredBefore.has(b.backupId),
      );
      const drillPassed = log.filter((x) => x.type === "drill.completed" && Date.parse(x.at) < decidedAt).at(-1);
      const protectedIds = new Set(drillPassed ? [(drillPassed.data as { backupId: string }).backupId] : []);
      const again = retentionDecision(inputs, d.policy, decidedAt, protectedIds);
      if (!again.ok) throw new Error(again.message);
      expect(again.value.find((v) => v.backupId === d.backupId)).toMatchObject({ keep: false, reasons: ["unkept"] });
    }
    // And the verifier's own recomputation (what an auditor's bundle check runs) agrees with every one.
    const audited = recomputeExpiries(log);
    expect(audited).toHaveLength(expired.length);
    expect(audited.filter((r) => r.status !== "agrees")).toEqual([]);

    // The state the API answers says the same.
    const state = RetentionStateSchema.parse((await retentionOf(org)).body);
    expect(state).toMatchObject({ databaseId: org.databaseId, policy, protectedBackupId: ids[100] });
    expect(state.verdicts.map((v) => v.backupId).sort()).toEqual([...keptIds].sort());
    expect(state.verdicts.every((v) => v.keep)).toBe(true);
    expect(state.expired.map((x) => x.backupId).sort()).toEqual(ids.filter((id) => !keptIds.includes(id)).sort());
  }, 300_000);
});

/** An org with backups `days` days after T0 and a policy set; the backup ids, oldest first. */
async function withBackups(days: number[], policy: unknown): Promise<{ org: Org; ids: string[] }> {
  const org = await makeOrg();
  const ids: string[] = [];
  for (const [n, d] of days.entries()) ids.push(await backupAt(org, T0 + d * DAY, n));
  expect((await putRetention(org, policy)).status).toBe(200);
  return { org, ids };
}

describe("what the runner could not delete", () => {
  it("locked, legal-hold, missing: backup.expiry_blocked when the outcome changes, never twice for the same; each kept; a missing one never asked again", async () => {
    const { org, ids } = await withBackups([0, 10, 20, 30], { keepLast: 2 });
    const [oldest, second] = [ids[0]!, ids[1]!];
    let t = T0 + 31 * DAY;
    expect((await tickAt(t)).prunesQueued).toBe(1);
    let job = await leasedPrune(org);
    expect(job.targets.map((x) => x.backupId)).toEqual([oldest, second]);
    const until = iso(t + 2 * HOUR);
    let r = await sendReport(
      org.runnerToken,
      job.jobId,
      reportOf(job, { [oldest]: { outcome: "locked", retainUntil: until }, [second]: { outcome: "legal-hold" } }),
    );
    expect(r.body).toEqual({ expired: 0, blocked: 2 });
    const blocked = async () =>
      (await entriesOf(org, "backup.expiry_blocked")).map((e) => {
        const d = e.data as EventDataOf<"backup.expiry_blocked">;
        return [d.backupId, d.outcome, d.retainUntil, d.jobId];
      });
    expect(await blocked()).toEqual([
      [oldest, "locked", until, job.jobId],
      [second, "legal-hold", null, job.jobId],
    ]);
    // Not asked again before the lock ends (and a day for the held one).
    expect((await tickAt(t + HOUR)).prunesQueued).toBe(0);
    // After the lock's end: asked again; locked again (a later retain-until) is the same outcome, not logged.
    t += 3 * HOUR;
    expect((await tickAt(t)).prunesQueued).toBe(1);
    job = await leasedPrune(org);
    expect(job.targets.map((x) => x.backupId)).toEqual([oldest]);
    r = await sendReport(
      org.runnerToken,
      job.jobId,
      reportOf(job, { [oldest]: { outcome: "locked", retainUntil: iso(t + DAY + HOUR) } }),
    );
    expect(r.body).toEqual({ expired: 0, blocked: 0 });
    expect(await blocked()).toHaveLength(2);
    // A day and more on: both asked; the held one is gone now (missing: not logged), the locked one is deleted.
    t += 2 * DAY;
    expect((await tickAt(t)).prunesQueued).toBe(1);
    job = await leasedPrune(org);
    expect(job.targets.map((x) => x.backupId)).toEqual([oldest, second]);
    r = await sendReport(org.runnerToken, job.jobId, reportOf(job, { [second]: { outcome: "missing" } }));
    expect(r.body).toEqual({ expired: 1, blocked: 0 });
    expect(await blocked()).toHaveLength(2);
    expect((await entriesOf(org, "backup.expired")).map((e) => (e.data as { backupId: string }).backupId)).toEqual([
      oldest,
    ]);
    // The missing one stays a backup the decision sees (it was never logged expired), and is never asked for again.
    expect(await liveBackupIds(org.databaseId)).toEqual([second, ids[2]!, ids[3]!].sort());
    expect((await tickAt(t + 30 * DAY)).prunesQueued).toBe(0);
    const state = RetentionStateSchema.parse((await retentionOf(org)).body);
    expect(state.verdicts.find((v) => v.backupId === second)).toMatchObject({ keep: false, reasons: ["unkept"] });
    expect(state.expired.map((x) => x.backupId)).toEqual([oldest]);
  });

  it("mismatch and foreign are blocked outcomes too; the newest backup, and those within minAgeDays, are never targets", async () => {
    const { org, ids } = await withBackups([0, 1, 2, 3, 50, 58], { keepLast: 1, minAgeDays: 7 });
    const t = T0 + 60 * DAY;
    expect((await tickAt(t)).prunesQueued).toBe(1);
    const job = await leasedPrune(org);
    // Day 58's backup is the newest and 2 days old (within minAgeDays); day 50's is 10 days old.
    expect(job.targets.map((x) => x.backupId)).toEqual(ids.slice(0, 5));
    const r = await sendReport(
      org.runnerToken,
      job.jobId,
      reportOf(job, { [ids[0]!]: { outcome: "mismatch" }, [ids[1]!]: { outcome: "foreign" } }),
    );
    expect(r.body).toEqual({ expired: 3, blocked: 2 });
    expect((await entriesOf(org, "backup.expiry_blocked")).map((e) => (e.data as { outcome: string }).outcome)).toEqual(
      ["mismatch", "foreign"],
    );
  });
});

describe("the newest passing drill", () => {
  it("its backup is protected by the drills rows and by the log both, so the one an auditor finds is never a target", async () => {
    const { org, ids } = await withBackups([0, 1, 2, 3], { keepLast: 1 });
    const signer = await withRunnerKey(org);
    for (const id of [ids[0], ids[1]]) {
      expect((await drillNow(org, { backupId: id })).status).toBe(202);
      const drill = (await claimDrill(org.runnerToken, [org.databaseId])).body.job;
      expect((await sendReceipt(org.runnerToken, drill.jobId, drill.leaseId, receiptOf(drill, signer))).status).toBe(
        200,
      );
    }
    // The log's newest passing drill restored backup 1; make the drills rows say backup 0's finished last.
    await env.DB.prepare("UPDATE drills SET finished_at = finished_at + 1000 WHERE backup_id = ?1").bind(ids[0]).run();
    expect((await tickAt(T0 + 4 * DAY)).prunesQueued).toBe(1);
    const job = await leasedPrune(org);
    expect(job.targets.map((x) => x.backupId)).toEqual([ids[2]]);
    const state = RetentionStateSchema.parse((await retentionOf(org)).body);
    for (const id of [ids[0], ids[1]])
      expect(state.verdicts.find((v) => v.backupId === id)?.reasons).toContain("protected");
  });
});

describe("the prune report", () => {
  it("is fenced by the live lease: stale, expired or another runner's is 409 and writes nothing; a bad report is a 400 that writes nothing; heartbeats say deleting", async () => {
    const { org, ids } = await withBackups([0, 1, 2], { keepLast: 1 });
    let t = T0 + 3 * DAY;
    await tickAt(t);
    const job = await leasedPrune(org);
    const hb = await onJob(org.runnerToken, job.jobId, "heartbeat", {
      leaseId: job.leaseId,
      progress: { phase: "deleting", bytes: 0 },
    });
    expect(hb.status).toBe(200);
    const listed = await call("GET", `/v1/jobs/${job.jobId}`, { token: org.viewerToken });
    expect(listed.body).toMatchObject({ kind: "prune", status: "leased", progress: { phase: "deleting" } });
    const good = reportOf(job);
    const [a, b] = good.results;
    await writesNothing(org, async () => {
      const stale = await sendReport(org.runnerToken, job.jobId, { ...good, leaseId: "lease_stale" });
      expect(stale).toMatchObject({ status: 409, body: { error: { code: "lease-lost" } } });
      for (const [results, message] of [
        [[a], /do not say what became of target/],
        [[a, b, { ...a!, backupId: ids[2] }], /not a target of this prune/],
        [[a, a], /more than once/],
        [[a, { ...b!, deletedKeys: ["walwarden/elsewhere.dump"] }], /start with its artifact's key/],
        [[a, { ...b!, deletedKeys: [b!.deletedKeys[0]!, "walwarden/elsewhere.dump"] }], /its kit's, beside it/],
        [[a, { ...b!, deletedKeys: [...b!.deletedKeys, b!.deletedKeys[1]!] }], /a key more than once/],
        [[a, { ...b!, outcome: "locked", deletedKeys: [] }], /retainUntil is required/],
        [[a, { ...b!, outcome: "legal-hold" }], /deletedKeys is for a deleted backup/],
        [[a, { ...b!, outcome: "missing", deletedKeys: [], retainUntil: iso(t) }], /missing backup has no retainUntil/],
      ] as const) {
        const r = await sendReport(org.runnerToken, job.jobId, { leaseId: job.leaseId, results });
        expect(r.status, JSON.stringify(r.body)).toBe(400);
        expect(r.body.error.message).toMatch(message);
      }
      const schemaRefused = await sendReport(org.runnerToken, job.jobId, {
        ...good,
        results: [{ ...a, outcome: "gone" }],
      });
      expect(schemaRefused.status).toBe(400);
      // The lease runs out: the same good report is refused.
      vi.setSystemTime(t + 10 * MINUTE);
      expect((await sendReport(org.runnerToken, job.jobId, good)).body.error.code).toBe("lease-lost");
    });
    // The tick re-queues it, logging nothing (a prune's failed attempt is not a backup's); the next claim gets the same targets.
    const before = (await decodedLog(org)).length;
    t += 11 * MINUTE;
    expect(await tickAt(t)).toMatchObject({ expired: 1, prunesQueued: 0 });
    const logged = (await decodedLog(org)).slice(before).map((e) => e.type);
    expect(logged.filter((x) => x.startsWith("backup.") || x.startsWith("retention."))).toEqual([]);
    const again = await leasedPrune(org);
    expect(again).toMatchObject({ jobId: job.jobId, attempt: 2, targets: job.targets, decidedAt: job.decidedAt });
    expect((await sendReport(org.runnerToken, job.jobId, good)).status).toBe(409);
    const report = reportOf(again);
    const first = await sendReport(org.runnerToken, job.jobId, report);
    expect(first).toMatchObject({ status: 200, body: { expired: 2, blocked: 0 } });
    await writesNothing(org, async () => {
      // The same report again answers the same; another is refused; nothing is logged twice.
      expect(await sendReport(org.runnerToken, job.jobId, report)).toMatchObject({ status: 200, body: first.body });
      const other = reportOf(again, { [ids[0]!]: { outcome: "missing" } });
      expect((await sendReport(org.runnerToken, job.jobId, other)).body.error.code).toBe("completion-mismatch");
    });
    expect(await entriesOf(org, "backup.expired")).toHaveLength(2);
  });

  it("a backup job's report, or one from a runner of another org, is refused; fail ends a prune without logging", async () => {
    const { org } = await withBackups([0, 1], { keepLast: 1 });
    const backupJob = await leasedJob(org);
    const r = await sendReport(org.runnerToken, backupJob.jobId, { leaseId: backupJob.leaseId, results: [] });
    expect(r).toMatchObject({ status: 400, body: { error: { code: "bad-request" } } });
    expect(r.body.error.message).toMatch(/not a prune/);
    await tickAt(T0 + 2 * DAY);
    const job = await leasedPrune(org);
    const stranger = await makeOrg();
    expect((await sendReport(stranger.runnerToken, job.jobId, reportOf(job))).body.error.code).toBe("lease-lost");
    // A runner that does not ask for prunes never gets one.
    expect((await claim(org.runnerToken, [org.databaseId])).body.job?.kind).not.toBe("prune");
    const before = (await decodedLog(org)).length;
    const failed = await onJob(org.runnerToken, job.jobId, "fail", {
      leaseId: job.leaseId,
      reason: "s3: AccessDenied",
      retryable: false,
    });
    expect(failed.body).toEqual({ willRetry: false, attempt: 1 });
    expect((await decodedLog(org)).slice(before)).toEqual([]);
    expect((await call("GET", `/v1/jobs/${job.jobId}`, { token: org.viewerToken })).body).toMatchObject({
      status: "failed",
      lastError: "s3: AccessDenied",
    });
    // The next tick decides again and queues a new prune.
    expect((await tickAt(T0 + 2 * DAY + MINUTE)).prunesQueued).toBe(1);
  });
});

describe("changing, removing and deleting", () => {
  it("a policy change or removal withdraws the queued prune; a later tick decides under the new policy", async () => {
    const { org, ids } = await withBackups([0, 1, 2, 3], { keepLast: 1 });
    const t = T0 + 4 * DAY;
    expect((await tickAt(t)).pruneTargets).toBe(3);
    expect((await putRetention(org, { keepLast: 3 })).status).toBe(200);
    expect((await claimPrune(org.runnerToken, [org.databaseId])).body.job).toBeNull();
    expect((await tickAt(t + MINUTE)).pruneTargets).toBe(1);
    expect((await call("DELETE", policyPath(org.databaseId), { token: org.adminToken })).status).toBe(204);
    expect((await claimPrune(org.runnerToken, [org.databaseId])).body.job).toBeNull();
    expect((await tickAt(t + 2 * MINUTE)).retentionDecided).toBe(0);
    expect(await liveBackupIds(org.databaseId)).toEqual([...ids].sort());
    const state = RetentionStateSchema.parse((await retentionOf(org)).body);
    expect(state.policy).toBeNull();
    expect(state.verdicts.map((v) => [v.backupId, v.keep, v.reasons])).toEqual(
      [...ids].reverse().map((id) => [id, true, ["no-policy"]]),
    );
  });

  it("deleting a database removes its policy (logged), withdraws its queued prune, deletes no object, and no prune is queued for it again", async () => {
    const { org, ids } = await withBackups([0, 1, 2], { keepLast: 1 });
    const t = T0 + 3 * DAY;
    expect((await tickAt(t)).prunesQueued).toBe(1);
    expect((await call("DELETE", `/v1/databases/${org.databaseId}`, { token: org.adminToken })).status).toBe(204);
    const types = (await decodedLog(org)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(["retention.policy_removed", "database.deleted"]);
    expect(types).not.toContain("backup.expired");
    expect((await claimPrune(org.runnerToken, [org.databaseId])).body.job).toBeNull();
    expect((await tickAt(t + MINUTE)).retentionDecided).toBe(0);
    expect((await tickAt(t + DAY)).prunesQueued).toBe(0);
    const { results } = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM retention_policies WHERE database_id = ?1) AS policies, (SELECT count(*) FROM jobs WHERE database_id = ?1 AND kind = 'prune') AS prunes",
    )
      .bind(org.databaseId)
      .all<{ policies: number; prunes: number }>();
    expect(results[0]).toEqual({ policies: 0, prunes: 0 });
    expect(await liveBackupIds(org.databaseId)).toEqual([...ids].sort());
  });
});

describe("the tick at scale", () => {
  it("decides 250 databases and queues their prunes with O(n/100) statements, none per database; again, nothing", async () => {
    const org = await makeOrg();
    const real = await backupAt(org, T0, 0);
    const source = await env.DB.prepare("SELECT envelope, manifest_sha256 FROM backups WHERE id = ?1")
      .bind(real)
      .first<{ envelope: string; manifest_sha256: string }>();
    // 250 databases with two completed backups each (rows as the Worker writes them, each with its log copy's
    // instant) and a keepLast-1 policy: each has one backup to delete.
    const dbs = Array.from({ length: 250 }, (_, i) => ({ id: `db_scale${String(i).padStart(4, "0")}`, i }));
    const t = T0 + DAY;
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO databases (id, org_id, name, provider, created_at, updated_at)
         SELECT value ->> '$.id', ?1, value ->> '$.id', 'rds', ?2, ?2 FROM json_each(?3)`,
      ).bind(org.orgId, T0, JSON.stringify(dbs)),
      env.DB.prepare(
        `INSERT INTO retention_policies (database_id, org_id, policy, decide_after, created_at, updated_at)
         SELECT value ->> '$.id', ?1, '{"keepLast":1,"timezone":"UTC"}', 0, ?2, ?2 FROM json_each(?3)`,
      ).bind(org.orgId, T0, JSON.stringify(dbs)),
      ...[0, 1].flatMap((k) => [
        env.DB.prepare(
          `INSERT INTO backups (id, org_id, database_id, job_id, runner_id, artifact_uri, sha256, size_bytes, manifest_sha256, envelope, log_seq, started_at, completed_at, duration_ms)
           SELECT 'bkp_scale' || ?9 || (value ->> '$.id'), ?2, value ->> '$.id', 'job_scale', ?3, 's3://acme-backups/k', ?4, 1, ?5, ?6,
                  1000000 + 2 * (value ->> '$.i') + ?1, ?7, ?7, 0
           FROM json_each(?8)`,
        ).bind(
          k,
          org.orgId,
          org.runnerId,
          "a".repeat(64),
          source!.manifest_sha256,
          source!.envelope,
          T0 + k * HOUR,
          JSON.stringify(dbs),
          String(k),
        ),
        env.DB.prepare(
          `INSERT INTO log_entries (org_id, seq, type, at, actor, subject, entry)
           SELECT ?1, 1000000 + 2 * (value ->> '$.i') + ?2, 'backup.completed', ?3, 'runner:x', 'database:' || (value ->> '$.id'), '{}'
           FROM json_each(?4)`,
        ).bind(org.orgId, k, T0 + k * HOUR, JSON.stringify(dbs)),
      ]),
    ]);
    const d1 = new CountingD1(env.DB);
    const stats = await queueDuePrunes(d1, t, 3);
    expect(stats).toMatchObject({ retentionDecided: 250, prunesQueued: 250, pruneTargets: 250 });
    // One read of the due policies; per 100 databases one read of their backups, one of the targets'
    // manifests and one batch of two writes.
    expect(d1.statements).toBe(1 + 3 * 4);
    // Again: every one has its prune waiting, so none is due.
    const again = new CountingD1(env.DB);
    expect(await queueDuePrunes(again, t, 3)).toMatchObject({ retentionDecided: 0, prunesQueued: 0 });
    expect(again.statements).toBe(1);
    const claimed = await leasedPrune(org, "db_scale0042");
    expect(claimed.targets.map((x) => x.backupId)).toEqual(["bkp_scale0db_scale0042"]);
  });
});
