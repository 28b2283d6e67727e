// The runner side of a restore drill, in the Worker (verifier/SPEC.md §11): the runner's own key, claiming
// a drill, and its signed receipt, accepted once per (job, lease) and refused, writing nothing, when it is
// forged, inconsistent, about another drill or sent under a lease that is not the runner's. Failures and
// lost leases of a drill go through the same job machine as a backup's.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  canonicalBytes,
  decodeEntry,
  formatVkey,
  type LogEntry,
  parseVkey,
  sha256,
  toBase64,
  toHex,
  verifyDrillReceipt,
} from "@walwarden/verifier";
import {
  ClaimedDrillJobSchema,
  DrillResultResponseSchema,
  DrillSchema,
  RunnerKeyResponseSchema,
  RunnerPageSchema,
} from "@walwarden/verifier/wire";
import { acceptDrillResult } from "../src/drills/result.js";
import { runCronTick } from "../src/scheduling/cron-tick.js";
import { call, makeOrg, type Org } from "./support/client.js";
import {
  claimDrill,
  drillNow,
  drillPredicate,
  drillReady,
  failedPredicate,
  keyBody,
  leasedDrill,
  receiptOf,
  registerKey,
  runnerSigner,
  sendReceipt,
} from "./support/drill-calls.js";
import { logEntries } from "./support/log-checks.js";
import { claim, completeBody, completedBackup, failBody, onJob, queueBackup } from "./support/runner-calls.js";
import { dumpD1, dumpLedger } from "./support/storage-dump.js";

const MINUTE = 60_000;

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

/** D1 and the org's Ledger, whole: a refusal must leave both as they were. */
const storage = async (org: Org) => ({ d1: await dumpD1(), ledger: await dumpLedger(org.orgId) });
/** Asserts that `act` (a refused request) writes nothing to D1 or the org's Ledger. */
async function writesNothing(org: Org, act: () => Promise<unknown>): Promise<void> {
  const before = await storage(org);
  await new Promise((r) => setTimeout(r, 5)); // a later clock, so a write would show
  await act();
  expect(await storage(org)).toEqual(before);
}

const drillOf = async (org: Org, drillId: string) =>
  DrillSchema.parse((await call("GET", `/v1/drills/${drillId}`, { token: org.viewerToken })).body);
const jobOf = async (org: Org, jobId: string) =>
  (await call("GET", `/v1/jobs/${jobId}`, { token: org.viewerToken })).body;

describe("runner keys", () => {
  it("registered, the same key again unchanged (nothing logged), another key rotated with the previous vkey", async () => {
    const org = await makeOrg();
    const first = runnerSigner(org.runnerId);
    const second = runnerSigner(org.runnerId, 6);
    const vkey1 = formatVkey(`test.walwarden.dev/runner/${org.runnerId}`, first.publicKey);
    const vkey2 = formatVkey(`test.walwarden.dev/runner/${org.runnerId}`, second.publicKey);
    const listed = async () =>
      RunnerPageSchema.parse((await call("GET", "/v1/runners", { token: org.viewerToken })).body).items.find(
        (r) => r.id === org.runnerId,
      );
    expect(await listed()).toMatchObject({ vkey: null, keyRegisteredAt: null });
    const answers: unknown[] = [];
    const entries = await appendedBy(org, async () => {
      for (const body of [keyBody(first), keyBody(first), keyBody(second)]) {
        const r = await registerKey(org.runnerToken, body);
        expect(r.status).toBe(200);
        answers.push(RunnerKeyResponseSchema.parse(r.body));
      }
    });
    const answer = { runnerId: org.runnerId, orgId: org.orgId };
    expect(answers).toEqual([
      { ...answer, vkey: vkey1, status: "registered" },
      { ...answer, vkey: vkey1, status: "unchanged" },
      { ...answer, vkey: vkey2, status: "rotated" },
    ]);
    const actor = `runner:${org.runnerId}`;
    expect(entries.map((e) => [e.type, e.actor, e.subject, e.data])).toEqual([
      ["runner.key_registered", actor, actor, { runnerId: org.runnerId, vkey: vkey1 }],
      ["runner.key_rotated", actor, actor, { runnerId: org.runnerId, previousVkey: vkey1, vkey: vkey2 }],
    ]);
    // The vkey is the runner's key under the Worker's name for it: it parses and holds that public key.
    const parsed = parseVkey(vkey2);
    expect(parsed.ok && [parsed.value.name, toHex(parsed.value.publicKey)]).toEqual([
      `test.walwarden.dev/runner/${org.runnerId}`,
      toHex(second.publicKey),
    ]);
    // GET /v1/runners serves the current key, so an operator can pin it from the API.
    const runner = await listed();
    expect(runner?.vkey).toBe(vkey2);
    expect(Date.parse(runner?.keyRegisteredAt ?? "")).toBeGreaterThan(0);
  });

  it("a proof by another key, a proof of other bytes or a small-order key is a 400 that writes nothing; a revoked runner is refused", async () => {
    const org = await makeOrg();
    const key = runnerSigner(org.runnerId);
    const other = runnerSigner(org.runnerId, 7);
    const smallOrder = { publicKey: toBase64(new Uint8Array(32)), proof: keyBody(key).proof };
    await writesNothing(org, async () => {
      for (const body of [keyBody(key, other), { ...keyBody(key), proof: keyBody(other).proof }, smallOrder]) {
        const r = await registerKey(org.runnerToken, body);
        expect(r.status, JSON.stringify(r.body)).toBe(400);
        expect(r.body.error.message).toMatch(/proof|public key/);
      }
    });
    expect((await call("DELETE", `/v1/runners/${org.runnerId}`, { token: org.adminToken })).status).toBe(204);
    expect((await registerKey(org.runnerToken, keyBody(key))).status).toBe(401);
  });
});

describe("claiming a drill", () => {
  it("goes only to a runner that asks for drills, serves the database and has a key; it names the backup's artifact and manifest", async () => {
    const org = await makeOrg();
    const backup = await completedBackup(org);
    const drill = (await drillNow(org)).body;
    // An older runner (no kinds: backups only), a runner that asks without a key, one serving other databases.
    expect((await claim(org.runnerToken, [org.databaseId])).body.job).toBeNull();
    expect((await claimDrill(org.runnerToken, [org.databaseId])).body.job).toBeNull();
    await registerKey(org.runnerToken, keyBody(runnerSigner(org.runnerId)));
    expect((await claimDrill(org.runnerToken, ["db_elsewhere"])).body.job).toBeNull();
    expect((await drillOf(org, drill.id)).status).toBe("queued");

    const claimed = await call("POST", "/v1/runner/claim", {
      token: org.runnerToken,
      json: { version: "0.2.0", databases: [org.databaseId], kinds: ["backup", "drill"] },
    });
    const job = ClaimedDrillJobSchema.parse(claimed.body.job);
    const detail = (await call("GET", `/v1/backups/${backup.backupId}`, { token: org.viewerToken })).body;
    expect(job).toMatchObject({
      kind: "drill",
      jobId: drill.jobId,
      drillId: drill.id,
      orgId: org.orgId,
      databaseId: org.databaseId,
      backupId: backup.backupId,
      attempt: 1,
      runnerId: org.runnerId,
      artifact: {
        bucket: "acme-backups",
        key: "walwarden/db/2026/11/24/bkp.dump.zst",
        sha256: detail.sha256,
        sizeBytes: detail.sizeBytes,
      },
      manifestSha256: detail.manifestSha256,
      target: "local",
      maxRtoSeconds: null,
      assertions: [],
    });
    expect(await drillOf(org, drill.id)).toMatchObject({ status: "running", attempt: 1, runnerId: org.runnerId });
    // Heartbeats as for a backup, with a drill's phases.
    const hb = await onJob(org.runnerToken, job.jobId, "heartbeat", {
      leaseId: job.leaseId,
      progress: { phase: "restoring", bytes: 2048 },
    });
    expect(hb.status).toBe(200);
    expect(await jobOf(org, drill.jobId)).toMatchObject({
      kind: "drill",
      drillId: drill.id,
      status: "leased",
      backupId: backup.backupId,
      progress: { phase: "restoring", bytes: 2048 },
    });
    // A backup job is still a backup for a runner that asks for both.
    const jobId = await queueBackup(org);
    const both = await call("POST", "/v1/runner/claim", {
      token: org.runnerToken,
      json: { version: "0.2.0", databases: [org.databaseId], kinds: ["drill", "backup"] },
    });
    expect(both.body.job).toMatchObject({ kind: "backup", jobId });
  });
});

describe("a drill's receipt", () => {
  it("passed: verified with the runner's key, logged as drill.completed with its SHA-256, the drill passed and the job succeeded; the same receipt again answers the same entry", async () => {
    const org = await makeOrg();
    const { signer } = await drillReady(org);
    const job = await leasedDrill(org);
    const receipt = receiptOf(job, signer);
    const receiptSha256 = toHex(sha256(canonicalBytes(receipt)));
    const vkey = formatVkey(signer.name, signer.publicKey);
    let answer: { type: string; entry: string } | undefined;
    const entries = await appendedBy(org, async () => {
      const r = await sendReceipt(org.runnerToken, job.jobId, job.leaseId, receipt);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      answer = DrillResultResponseSchema.parse(r.body);
    });
    expect(entries.map((e) => [e.type, e.actor, e.subject, e.data])).toEqual([
      [
        "drill.completed",
        `runner:${org.runnerId}`,
        `database:${org.databaseId}`,
        {
          jobId: job.jobId,
          drillId: job.drillId,
          databaseId: org.databaseId,
          backupId: job.backupId,
          runnerId: org.runnerId,
          receiptSha256,
          runnerVkey: vkey,
          rtoMs: 6730,
        },
      ],
    ]);
    expect(answer?.type).toBe("drill.completed");
    // The answer is the stored entry, byte for byte.
    expect(answer?.entry).toBe((await logEntries(org.viewerToken)).at(-1));

    const drill = await drillOf(org, job.drillId);
    expect(drill).toMatchObject({
      status: "passed",
      rtoMs: 6730,
      tables: { matched: 2, total: 2 },
      reason: null,
      receiptSha256,
      runnerVkey: vkey,
      runnerId: org.runnerId,
    });
    expect(drill.finishedAt).not.toBeNull();
    expect(canonicalBytes(drill.receipt)).toEqual(canonicalBytes(receipt));
    // The stored receipt still verifies with the vkey it names.
    const key = parseVkey(drill.runnerVkey!);
    expect(key.ok && verifyDrillReceipt(drill.receipt, [key.value]).ok).toBe(true);
    expect(await jobOf(org, job.jobId)).toMatchObject({ status: "succeeded", attempt: 1 });

    const again = await appendedBy(org, async () => {
      const r = await sendReceipt(org.runnerToken, job.jobId, job.leaseId, receipt);
      expect(r.status).toBe(200);
      expect(r.body).toEqual(answer);
    });
    expect(again).toEqual([]);
    // Another receipt under that lease (here: the same drill, failed) is refused and logs nothing.
    await writesNothing(org, async () => {
      const other = await sendReceipt(
        org.runnerToken,
        job.jobId,
        job.leaseId,
        receiptOf(job, signer, failedPredicate(job)),
      );
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe("completion-mismatch");
    });
  });

  it("failed: logged as drill.failed with the receipt's SHA-256 and its reason redacted; the drill failed, the job is done", async () => {
    const org = await makeOrg();
    const { signer } = await drillReady(org);
    const job = await leasedDrill(org);
    const receipt = receiptOf(job, signer, failedPredicate(job, "row counts differ; PGPASSWORD=hunter2 was set"));
    const entries = await appendedBy(org, async () => {
      const r = await sendReceipt(org.runnerToken, job.jobId, job.leaseId, receipt);
      expect(r.status).toBe(200);
      expect(r.body.type).toBe("drill.failed");
    });
    expect(entries.map((e) => [e.type, e.data])).toEqual([
      [
        "drill.failed",
        {
          jobId: job.jobId,
          drillId: job.drillId,
          databaseId: org.databaseId,
          backupId: job.backupId,
          runnerId: org.runnerId,
          attempt: 1,
          reason: "row counts differ; PGPASSWORD=[redacted] was set",
          willRetry: false,
          receiptSha256: toHex(sha256(canonicalBytes(receipt))),
          runnerVkey: formatVkey(signer.name, signer.publicKey),
        },
      ],
    ]);
    expect(await drillOf(org, job.drillId)).toMatchObject({
      status: "failed",
      tables: { matched: 1, total: 2 },
      reason: "row counts differ; PGPASSWORD=[redacted] was set",
    });
    expect((await jobOf(org, job.jobId)).status).toBe("succeeded");
  });

  it("refused, writing nothing: a forged signature, an inconsistent receipt, another drill's or backup's, another runner's lease, a stale lease, the wrong route", async () => {
    const org = await makeOrg();
    const { signer } = await drillReady(org);
    const job = await leasedDrill(org);
    const second = await call("POST", "/v1/runners", { token: org.adminToken, json: { name: "runner two" } });
    const secondSigner = runnerSigner(second.body.id);
    await registerKey(second.body.token, keyBody(secondSigner));
    const backupJob = await (async () => {
      await queueBackup(org);
      return (await claim(org.runnerToken, [org.databaseId])).body.job;
    })();
    const tables = [{ schema: "public", name: "orders", expectedRows: 1200, actualRows: 1199 }];
    const cases: [
      string,
      () => Promise<{ status: number; body: { error: { code: string; message: string } } }>,
      number,
      RegExp,
    ][] = [
      [
        "signed by an unregistered key",
        () => sendReceipt(org.runnerToken, job.jobId, job.leaseId, receiptOf(job, runnerSigner(org.runnerId, 9))),
        400,
        /unknown-key/,
      ],
      [
        "signed by another runner's key",
        () => sendReceipt(org.runnerToken, job.jobId, job.leaseId, receiptOf(job, secondSigner)),
        400,
        /unknown-key/,
      ],
      [
        "a changed byte",
        () => {
          const r = receiptOf(job, signer);
          return sendReceipt(org.runnerToken, job.jobId, job.leaseId, {
            ...r,
            payload: btoa(atob(r.payload).replace('"rto":{"ms":6730', '"rto":{"ms":6731')),
          });
        },
        400,
        /bad-signature/,
      ],
      [
        "passed over a table that differs",
        () =>
          sendReceipt(org.runnerToken, job.jobId, job.leaseId, receiptOf(job, signer, drillPredicate(job, { tables }))),
        400,
        /inconsistent/,
      ],
      [
        "another drill's",
        () =>
          sendReceipt(
            org.runnerToken,
            job.jobId,
            job.leaseId,
            receiptOf(job, signer, drillPredicate(job, { drillId: "drl_other" })),
          ),
        400,
        /the receipt's drill is drl_other/,
      ],
      [
        "another backup's",
        () =>
          sendReceipt(
            org.runnerToken,
            job.jobId,
            job.leaseId,
            receiptOf(job, signer, drillPredicate(job, { backupId: "bkp_other" })),
          ),
        400,
        /the receipt's backup is bkp_other/,
      ],
      [
        "another manifest's",
        () =>
          sendReceipt(
            org.runnerToken,
            job.jobId,
            job.leaseId,
            receiptOf(job, signer, drillPredicate(job, { manifestSha256: "0".repeat(64) })),
          ),
        400,
        /manifest SHA-256/,
      ],
      [
        "another artifact's",
        () =>
          sendReceipt(
            org.runnerToken,
            job.jobId,
            job.leaseId,
            receiptOf({ ...job, artifact: { ...job.artifact, key: "other.dump" } }, signer),
          ),
        400,
        /the receipt's artifact is/,
      ],
      [
        "another job's",
        () =>
          sendReceipt(
            org.runnerToken,
            job.jobId,
            job.leaseId,
            receiptOf(job, signer, drillPredicate(job, { jobId: "job_other" })),
          ),
        400,
        /the receipt's job is job_other/,
      ],
      [
        "another runner holding no lease",
        () => sendReceipt(second.body.token, job.jobId, job.leaseId, receiptOf(job, secondSigner)),
        409,
        /lease/,
      ],
      [
        "an unknown lease",
        () => sendReceipt(org.runnerToken, job.jobId, "lease_stale", receiptOf(job, signer)),
        409,
        /lease/,
      ],
      [
        "a backup job",
        () => sendReceipt(org.runnerToken, backupJob.jobId, backupJob.leaseId, receiptOf(job, signer)),
        400,
        /is a backup, not a drill/,
      ],
      [
        "complete on a drill job",
        () => onJob(org.runnerToken, job.jobId, "complete", completeBody(job.leaseId, org.runnerId)),
        400,
        /is a drill, not a backup/,
      ],
    ];
    for (const [what, send, status, message] of cases)
      await writesNothing(org, async () => {
        const r = await send();
        expect(r.status, what).toBe(status);
        expect(r.body.error.message, what).toMatch(message);
      });
    // A lease that ran out is refused before and after the sweep re-queues the drill.
    const late = await acceptDrillResult(
      env,
      { id: org.runnerId, orgId: org.orgId },
      job.jobId,
      { leaseId: job.leaseId, receipt: receiptOf(job, signer) },
      Date.now() + 10 * MINUTE,
    );
    expect(late.ok || late.code).toBe("lease-lost");
    // The honest receipt is still accepted under the live lease.
    expect((await sendReceipt(org.runnerToken, job.jobId, job.leaseId, receiptOf(job, signer))).status).toBe(200);
  });

  it("a crash between the record and the log append is finished by the cron tick once the lease runs out", async () => {
    const org = await makeOrg();
    const { signer } = await drillReady(org);
    const job = await leasedDrill(org);
    const receipt = receiptOf(job, signer);
    const faulty = { ...env, TEST_FAULTS: "complete-log-append-once" };
    const crashed = await acceptDrillResult(
      faulty,
      { id: org.runnerId, orgId: org.orgId },
      job.jobId,
      { leaseId: job.leaseId, receipt },
      Date.now(),
    ).then(
      () => "accepted",
      (e: Error) => e.message,
    );
    expect(crashed).toMatch(/test fault/);
    expect((await jobOf(org, job.jobId)).status).toBe("completing");
    expect((await drillOf(org, job.drillId)).status).toBe("running");
    const tick = await runCronTick(env, Date.now() + 30 * MINUTE);
    expect(tick).toMatchObject({ completionsFinished: 1 });
    // Finished, never re-queued: a recorded receipt is never undone by lease expiry.
    expect(await jobOf(org, job.jobId)).toMatchObject({ status: "succeeded", attempt: 1 });
    const drill = await drillOf(org, job.drillId);
    expect(drill).toMatchObject({ status: "passed", receiptSha256: toHex(sha256(canonicalBytes(receipt))) });
    const logged = (await logEntries(org.viewerToken))
      .map((e) => JSON.parse(e))
      .filter((e) => e.data.jobId === job.jobId);
    expect(logged.map((e) => e.type)).toEqual(["drill.scheduled", "drill.completed"]);
    // The runner that comes back gets the same entry.
    const late = await sendReceipt(org.runnerToken, job.jobId, job.leaseId, receipt);
    expect(late.status).toBe(200);
    expect(JSON.parse(late.body.entry)).toEqual(logged[1]);
  });
});

describe("a drill that ends without a receipt", () => {
  it("fail: a retryable failure re-queues it (drill.failed, willRetry), a final one fails it with the reason", async () => {
    const org = await makeOrg();
    await drillReady(org);
    const job = await leasedDrill(org);
    const entries = await appendedBy(org, async () => {
      const r = await onJob(org.runnerToken, job.jobId, "fail", failBody(job.leaseId, "bucket unreachable", true));
      expect(r.body).toEqual({ willRetry: true, attempt: 1 });
      expect((await drillOf(org, job.drillId)).status).toBe("queued");
      const again = (await claimDrill(org.runnerToken, [org.databaseId])).body.job;
      expect(again).toMatchObject({ jobId: job.jobId, attempt: 2 });
      const last = await onJob(org.runnerToken, job.jobId, "fail", failBody(again.leaseId, "initdb: no space left"));
      expect(last.body).toEqual({ willRetry: false, attempt: 2 });
    });
    const ref = { jobId: job.jobId, drillId: job.drillId, databaseId: org.databaseId, backupId: job.backupId };
    const none = { receiptSha256: null, runnerVkey: null };
    expect(entries.map((e) => [e.type, e.actor, e.data])).toEqual([
      [
        "drill.failed",
        `runner:${org.runnerId}`,
        { ...ref, runnerId: org.runnerId, attempt: 1, reason: "bucket unreachable", willRetry: true, ...none },
      ],
      [
        "drill.failed",
        `runner:${org.runnerId}`,
        { ...ref, runnerId: org.runnerId, attempt: 2, reason: "initdb: no space left", willRetry: false, ...none },
      ],
    ]);
    expect(await drillOf(org, job.drillId)).toMatchObject({
      status: "failed",
      attempt: 2,
      reason: "initdb: no space left",
      receipt: null,
    });
    expect((await jobOf(org, job.jobId)).status).toBe("failed");
  });

  it("lease expiry: re-queued with drill.failed from the lease sweeper, failed for good after the last attempt", async () => {
    const org = await makeOrg();
    await drillReady(org);
    const job = await leasedDrill(org);
    const entries = await appendedBy(org, async () => {
      await runCronTick(env, Date.now() + 10 * MINUTE);
      expect((await drillOf(org, job.drillId)).status).toBe("queued");
      for (let attempt = 2; attempt <= 3; attempt++) {
        expect((await claimDrill(org.runnerToken, [org.databaseId])).body.job).toMatchObject({ attempt });
        await runCronTick(env, Date.now() + attempt * 10 * MINUTE);
      }
    });
    const failed = entries.filter((e) => e.type === "drill.failed");
    expect(failed.map((e) => [e.actor, (e.data as { willRetry: boolean }).willRetry])).toEqual([
      ["system:lease-sweeper", true],
      ["system:lease-sweeper", true],
      ["system:lease-sweeper", false],
    ]);
    expect(failed.every((e) => (e.data as { receiptSha256: null }).receiptSha256 === null)).toBe(true);
    expect(await drillOf(org, job.drillId)).toMatchObject({ status: "failed", attempt: 3 });
  });
});
