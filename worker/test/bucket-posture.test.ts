// Bucket posture in the Worker (verifier/SPEC.md §12): the posture a runner sends with its claims is
// recorded per bucket, logged as bucket.posture on the first report and on each change of it or of what is
// worse, and while it is worse than its reference the cron tick holds bucket.at_risk (critical) for
// `bucket:<name>`, resolved two ticks after a report that is not worse. GET /v1/bucket-postures shows it.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type BucketPosture, decodeEntry, type LogEntry, utf8 } from "@walwarden/verifier";
import { BucketPostureListSchema } from "@walwarden/verifier/wire";
import { recordPosture } from "../src/posture/record-posture.js";
import { runCronTick } from "../src/scheduling/cron-tick.js";
import { call, makeOrg, type Org } from "./support/client.js";
import { logEntries } from "./support/log-checks.js";
import { putRetention } from "./support/retention-calls.js";
import { queueBackup } from "./support/runner-calls.js";

const GOOD: BucketPosture = {
  bucket: "acme-backups",
  versioning: "enabled",
  objectLock: { enabled: true, defaultMode: "COMPLIANCE", defaultDays: 30 },
  publicAccess: "blocked",
  encryption: "aws:kms",
  lifecycle: [],
};

/** A claim that carries a posture, as the runner's loop sends it every few minutes. */
const claimWith = (token: string, org: Org, posture: unknown) =>
  call("POST", "/v1/runner/claim", {
    token,
    json: { version: "0.1.0", databases: [org.databaseId], kinds: ["backup"], posture },
  });

/** The org's bucket.posture entries, oldest first. */
async function postureLog(org: Org): Promise<LogEntry[]> {
  return (await logEntries(org.adminToken))
    .map((t) => decodeEntry(utf8(t)))
    .flatMap((e) => (e.ok && e.value.type === "bucket.posture" ? [e.value] : []));
}

/** GET /v1/bucket-postures as the org's viewer, checked against the wire's schema. */
async function postures(org: Org) {
  const got = await call("GET", "/v1/bucket-postures", { token: org.viewerToken });
  expect(got.status).toBe(200);
  return BucketPostureListSchema.parse(got.body).items;
}

/** The org's bucket.at_risk incidents. */
async function atRisk(org: Org) {
  const { results } = await env.DB.prepare(
    "SELECT subject, severity, summary, resolved_at FROM alert_incidents WHERE org_id = ? AND condition = 'bucket.at_risk'",
  )
    .bind(org.orgId)
    .all<{ subject: string; severity: string; summary: string; resolved_at: number | null }>();
  return results;
}

describe("bucket posture", () => {
  it("the first report is logged; the same again only moves reportedAt; the claim still leases a job", async () => {
    const org = await makeOrg();
    const jobId = await queueBackup(org);
    const first = await claimWith(org.runnerToken, org, GOOD);
    expect(first.status).toBe(200);
    expect(first.body.job.jobId).toBe(jobId);
    const [entry] = await postureLog(org);
    expect(entry).toMatchObject({
      actor: `runner:${org.runnerId}`,
      subject: "bucket:acme-backups",
      data: { bucket: "acme-backups", runnerId: org.runnerId, posture: GOOD, worsening: [] },
    });
    const [view] = await postures(org);
    expect(view).toMatchObject({ bucket: "acme-backups", runnerId: org.runnerId, posture: GOOD, worsening: [] });

    await new Promise((r) => setTimeout(r, 5));
    expect((await claimWith(org.runnerToken, org, structuredClone(GOOD))).status).toBe(200);
    expect(await postureLog(org)).toHaveLength(1);
    const [again] = await postures(org);
    expect(again!.changedAt).toBe(view!.changedAt);
    expect(Date.parse(again!.reportedAt)).toBeGreaterThan(Date.parse(view!.reportedAt));
  });

  it("a worse posture is logged with what got worse, opens bucket.at_risk, and a repair resolves it", async () => {
    const org = await makeOrg();
    await claimWith(org.runnerToken, org, GOOD);
    const suspended = { ...GOOD, versioning: "suspended", publicAccess: "open" };
    expect((await claimWith(org.runnerToken, org, suspended)).status).toBe(200);
    const log = await postureLog(org);
    expect(log.map((e) => (e.data as { worsening: string[] }).worsening)).toEqual([
      [],
      ["versioning suspended", "public access allowed"],
    ]);
    expect((await postures(org))[0]!.worsening).toEqual(["versioning suspended", "public access allowed"]);

    await runCronTick(env, Date.now());
    expect(await atRisk(org)).toEqual([
      {
        subject: "bucket:acme-backups",
        severity: "critical",
        summary: "Bucket acme-backups is less protected than before: versioning suspended; public access allowed",
        resolved_at: null,
      },
    ]);
    // Worse still, against the same reference: the incident stays the one open.
    await claimWith(org.runnerToken, org, { ...suspended, encryption: "none" });
    await runCronTick(env, Date.now());
    expect((await atRisk(org)).map((i) => i.summary)).toEqual([
      "Bucket acme-backups is less protected than before: versioning suspended; public access allowed; default encryption removed",
    ]);

    await claimWith(org.runnerToken, org, GOOD);
    expect((await postureLog(org)).at(-1)!.data).toMatchObject({ worsening: [] });
    await runCronTick(env, Date.now() + 60_000);
    await runCronTick(env, Date.now() + 120_000);
    const [incident] = await atRisk(org);
    expect(incident!.resolved_at).not.toBeNull();
    const alertLog = (await logEntries(org.adminToken))
      .map((t) => decodeEntry(utf8(t)))
      .flatMap((e) => (e.ok && e.value.type.startsWith("alert.") ? [e.value.type] : []));
    expect(alertLog).toEqual(["alert.opened", "alert.resolved"]);
  });

  it("a lifecycle rule is weighed against the runner's databases' policies, and again when a policy changes", async () => {
    const org = await makeOrg();
    const rule = { ...GOOD, lifecycle: [{ id: "tidy", days: 90 }] };
    // No policy: every backup is kept, so any rule that expires objects deletes some of them.
    await claimWith(org.runnerToken, org, rule);
    expect((await postures(org))[0]!.worsening).toEqual([
      'lifecycle rule "tidy" deletes objects after 90 days, before the policy does',
    ]);
    // A policy that keeps backups 30 days at most: the rule deletes nothing it keeps.
    expect((await putRetention(org, { daily: 30 })).status).toBe(200);
    await claimWith(org.runnerToken, org, rule);
    expect((await postures(org))[0]!.worsening).toEqual([]);
    // Twelve monthlies (372 days): the same bucket is at risk again, logged though it did not change.
    expect((await putRetention(org, { monthly: 12 })).status).toBe(200);
    await claimWith(org.runnerToken, org, rule);
    const log = await postureLog(org);
    expect(log.map((e) => (e.data as { worsening: string[] }).worsening.length)).toEqual([1, 0, 1]);
    expect(log.every((e) => JSON.stringify((e.data as { posture: unknown }).posture) === JSON.stringify(rule))).toBe(
      true,
    );
  });

  it("two runners of the org reporting the same change at once log it once", async () => {
    const org = await makeOrg();
    const second = await call("POST", "/v1/runners", { token: org.adminToken, json: { name: "runner two" } });
    expect(second.status).toBe(201);
    await claimWith(org.runnerToken, org, GOOD);
    const worse = { ...GOOD, objectLock: { enabled: false, defaultMode: null, defaultDays: null } };
    // Both read the record before either writes (each call's first step is one D1 batch, started together).
    const now = Date.now() + 1;
    const outcomes = await Promise.all(
      [org.runnerId, second.body.id as string].map((id) =>
        recordPosture(env, { id, orgId: org.orgId }, [org.databaseId], worse, now),
      ),
    );
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["logged", "superseded"]);
    const log = await postureLog(org);
    expect(log).toHaveLength(2);
    expect(log[1]!.data).toMatchObject({ worsening: ["Object Lock removed"] });
    const [view] = await postures(org);
    expect(view!.runnerId).toBe((log[1]!.data as { runnerId: string }).runnerId);
    // The one that lost compares with the new record next time: the same posture is no change.
    expect(
      await recordPosture(env, { id: second.body.id, orgId: org.orgId }, [org.databaseId], worse, now + 1),
    ).toEqual({ kind: "unchanged" });
  });

  it("a claim with a posture that is not one is refused whole: no job leased, nothing recorded", async () => {
    const org = await makeOrg();
    const jobId = await queueBackup(org);
    for (const posture of [
      { ...GOOD, bucket: "a b" },
      { ...GOOD, versioning: "maybe" },
      { ...GOOD, extra: true },
      { ...GOOD, lifecycle: [{ id: "x", days: -1 }] },
      "enabled",
    ]) {
      const answer = await claimWith(org.runnerToken, org, posture);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe("bad-request");
    }
    expect(await postures(org)).toEqual([]);
    expect(await postureLog(org)).toEqual([]);
    const job = await env.DB.prepare("SELECT status FROM jobs WHERE id = ?").bind(jobId).first<{ status: string }>();
    expect(job!.status).toBe("queued");
  });

  it("a posture whose entry the log would refuse is not recorded (refused, not thrown: the claim goes on)", async () => {
    const org = await makeOrg();
    const runner = { id: org.runnerId, orgId: org.orgId };
    // The claim's schema cannot let this through; the function checks the entry itself all the same.
    const outcome = await recordPosture(env, runner, [org.databaseId], { ...GOOD, bucket: "not a bucket" }, Date.now());
    expect(outcome).toEqual({ kind: "refused", reason: "a bucket name" });
    expect(await postures(org)).toEqual([]);
    const outbox = await env.DB.prepare("SELECT COUNT(*) AS n FROM outbox WHERE org_id = ?")
      .bind(org.orgId)
      .first<{ n: number }>();
    expect(outbox!.n).toBe(0);
  });

  it("each org sees its own buckets only; reading needs a member's token", async () => {
    const [a, b] = await Promise.all([makeOrg(), makeOrg()]);
    await claimWith(a.runnerToken, a, GOOD);
    await claimWith(b.runnerToken, b, { ...GOOD, bucket: "other-org-bucket" });
    expect((await postures(a)).map((p) => p.bucket)).toEqual(["acme-backups"]);
    expect((await postures(b)).map((p) => p.bucket)).toEqual(["other-org-bucket"]);
    expect((await call("GET", "/v1/bucket-postures")).status).toBe(401);
    expect((await call("GET", "/v1/bucket-postures", { token: a.runnerToken })).status).toBe(401);
  });
});
