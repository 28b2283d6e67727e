// The alert conditions alerts.test.ts leaves out, end to end: the real Worker under wrangler's dev server
// (local D1, Durable Objects, Queues) and a real HTTP receiver on loopback. Each case configures nothing but
// a webhook channel, makes its condition arise through the real API as a user or a runner would, and checks
// that the receiver gets a Standard-Webhooks-signed notice once per incident, with the right condition and
// subject: job.stuck and drill.failed (then their resolved notice once the condition clears), and the event
// notices (restore.issued, restore.completed, restore.failed, key.rotated for a runner's new key and for a
// rotated signing key). No payload carries a secret.
//
// Time: job.stuck needs a job leased for longer than ALERT_JOB_STUCK_MINUTES. The bound is set to 5 minutes
// here (LEASE_SECONDS to an hour, so the lease outlives it without heartbeats) and the tick is fired six
// minutes ahead with triggerCron, rather than waiting for real: the job's rows are never touched. The
// signing-key rotation is an operator's act outside the API (a changed secret), so the Worker is restarted on
// the same state with a new checkpoint key, as a deploy with a new secret would.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  artifactUri,
  type DrillPredicate,
  formatSignerKey,
  formatVkey,
  generateKeyPair,
  type NamedSigner,
  parseSignerKey,
  publicKeyOf,
  runnerKeyProofMessage,
  sign,
  signDrillReceipt,
  toBase64,
} from "@walwarden/verifier";
import { sampleDrillPredicate } from "@walwarden/verifier/testing";
import type { ClaimedDrillJob } from "@walwarden/verifier/wire";
import {
  apiCall,
  bootstrapOrg,
  claimJob,
  claimRestore,
  completeJob,
  createDatabase,
  createRunnerToken,
  issueRestore,
  putBucketCredential,
  reportTransition,
  requestBackup,
  SYNTHETIC_ARTIFACT_SHA256,
  syntheticBackupResult,
  triggerCron,
} from "@walwarden/testing/api";
import {
  applyMigrations,
  type LocalWorker,
  removeAtCleanup,
  startDev,
  tempDir,
  writeKeysEnvFile,
} from "@walwarden/testing/local-worker";
import { Receiver, verifiedNotice } from "./support/webhook-receiver.js";

const MIN = 60_000;

/** A notice as the webhook body carries it (worker/src/alerts/deliver/README.md). */
interface Notice {
  type: string;
  data: {
    deliveryId: string;
    incidentId: string;
    condition: string;
    severity: string;
    subject: string;
    subjectName: string | null;
    summary: string;
    detail: string | null;
    resolvedAt: string | null;
  };
}

interface Channel {
  id: string;
  /** Every notice the receiver got for this channel, each verified with its secret (throws if one does not verify). */
  notices(): Notice[];
}

let dir: string;
let persist: string;
let envFile: string;
let dev: LocalWorker;
let cookie: string;
let orgId: string;
let runner: { id: string; token: string };
let db: { id: string };
let backupId: string;
/** Everything that must never reach a receiver: tokens, channel secrets, signing and bucket keys. */
const secrets: string[] = [];
/**
 * A secret from the env file: a signer key's secret part (`PRIVATE+KEY+<name>+<hash>+<base64>`: the name is
 * public; the base64 may hold "+" itself), any other value whole.
 */
const secretOf = (value: string) => (value.startsWith("PRIVATE+KEY+") ? value.split("+").slice(4).join("+") : value);
const receiver = new Receiver();

const VARS = { ALERTS_ALLOW_LOOPBACK: "true", ALERT_JOB_STUCK_MINUTES: "5", LEASE_SECONDS: "3600" };
const CREDENTIAL = {
  endpoint: "http://127.0.0.1:4569",
  region: "us-east-1",
  forcePathStyle: true,
  accessKeyId: "RESTOREREADONLY",
  secretAccessKey: "restore-read-only-secret-0123456789",
};

/** The ticks' clock: never behind the previous tick, however they are spaced (a real cron only moves on). */
let clock = 0;
async function tick(at = Date.now()): Promise<void> {
  clock = Math.max(at, clock + 1000);
  await triggerCron(dev, clock);
}

/** A webhook channel taking only `conditions`, on its own path at the receiver. */
async function channel(name: string, conditions: string[]): Promise<Channel> {
  const path = `/hooks/${name}`;
  const made = await apiCall(dev, "POST", "/v1/alert-channels", {
    cookie,
    body: {
      name,
      target: { kind: "webhook", url: `http://127.0.0.1:${receiver.port}${path}` },
      conditions,
      minSeverity: "info",
      repeatMinutes: null,
    },
  });
  secrets.push(made.webhookSecret, made.webhookSecret.replace(/^whsec_/, ""));
  return {
    id: made.id,
    notices: () =>
      receiver.received.filter((r) => r.url === path).map((r) => verifiedNotice<Notice>(made.webhookSecret, r)),
  };
}

/** Polls `check` until it returns something other than undefined (the machine may be loaded: no fixed sleeps). */
async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const got = await check();
    if (got !== undefined) return got;
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what}; received ${JSON.stringify(receiver.received.map((r) => [r.url, r.body.slice(0, 160)]))}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Once every delivery the Worker recorded for the channel is delivered, the notices the receiver got: checked
 * to be exactly those deliveries, each once (by webhook-id), so nothing came twice or unrecorded.
 */
async function settled(ch: Channel): Promise<Notice[]> {
  const items = await eventually(async () => {
    const page = await apiCall(dev, "GET", `/v1/alert-channels/${ch.id}/deliveries`, { cookie });
    const all = page.items as { id: string; status: string }[];
    return all.length > 0 && all.every((d) => d.status === "delivered") ? all : undefined;
  }, `every delivery of channel ${ch.id} delivered`);
  const notices = ch.notices();
  expect(notices.map((n) => n.data.deliveryId).sort()).toEqual(items.map((d) => d.id).sort());
  return notices;
}

/** The log's D1 copy caught up (a log read syncs it first), so the tick's event query sees what was just logged. */
async function logSettled(type: string): Promise<void> {
  const page = await apiCall(dev, "GET", `/v1/log/entries?type=${encodeURIComponent(type)}&limit=100`, { cookie });
  expect(page.entries.length, `${type} in the log`).toBeGreaterThan(0);
}

beforeAll(async () => {
  dir = removeAtCleanup(tempDir("walwarden-e2e-alert-conditions-"));
  persist = join(dir, "state");
  await applyMigrations(persist);
  await receiver.start();
  envFile = writeKeysEnvFile(dir);
  for (const line of readFileSync(envFile, "utf8").split("\n"))
    if (line.includes("=")) secrets.push(secretOf(line.slice(line.indexOf("=") + 1)));
  dev = await startDev({ persist, envFile, apiOnly: true, vars: VARS });
  const org = await bootstrapOrg(dev);
  ({ cookie } = org);
  orgId = org.org.id;
  runner = await createRunnerToken(dev, cookie, "runner in the vpc");
  secrets.push(runner.token);
  db = await createDatabase(dev, cookie, "shop", "neon");
}, 180_000);
afterAll(async () => {
  await receiver.stop();
  await dev?.stop();
});

/** The runner's own key, registered as a runner registers it (POST /v1/runner/key), named as the Worker names it. */
async function registerRunnerKey(seed: number): Promise<{ signer: NamedSigner; status: string; vkey: string }> {
  const secretKey = new Uint8Array(32).fill(seed);
  const publicKey = toBase64(publicKeyOf(secretKey));
  const answer = await apiCall(dev, "POST", "/v1/runner/key", {
    bearer: runner.token,
    body: { publicKey, proof: toBase64(sign(runnerKeyProofMessage(publicKey), secretKey)) },
  });
  // The vkey is `<name>+<hash>+<key>`: the receipt is signed under that name.
  const name = String(answer.vkey).split("+")[0]!;
  return { signer: { name, secretKey, publicKey: publicKeyOf(secretKey) }, status: answer.status, vkey: answer.vkey };
}

/** Drill now, claimed by the runner: a drill under its live lease. */
async function leasedDrill(): Promise<ClaimedDrillJob> {
  const drill = await apiCall(dev, "POST", `/v1/databases/${db.id}/drills`, { cookie, body: {} });
  const { job } = await apiCall(dev, "POST", "/v1/runner/claim", {
    bearer: runner.token,
    body: { version: "0.1.0", databases: [db.id], kinds: ["drill"] },
  });
  expect(job?.drillId).toBe(drill.id);
  return job as ClaimedDrillJob;
}

/** The receipt a runner signs for a drill it ran: passed, or `failure` with a table restored short. */
function receipt(job: ClaimedDrillJob, signer: NamedSigner, failure?: string) {
  const over: Partial<DrillPredicate> = failure
    ? {
        outcome: "failed",
        failure: { phase: "checks", reason: failure },
        tables: [
          { schema: "public", name: "orders", expectedRows: 1200, actualRows: 1100 },
          { schema: "public", name: "customers", expectedRows: 80, actualRows: 80 },
        ],
      }
    : {};
  const predicate = sampleDrillPredicate({
    drillId: job.drillId,
    orgId: job.orgId,
    databaseId: job.databaseId,
    backupId: job.backupId,
    jobId: job.jobId,
    manifestSha256: job.manifestSha256,
    downloadedSha256: job.artifact.sha256,
    target: { kind: job.target, serverVersion: "16.4" },
    assertions: [],
    rto: { ms: 6730, targetMs: null },
    runner: { id: job.runnerId, version: "0.1.0" },
    ...over,
  });
  return signDrillReceipt(
    predicate,
    { uri: artifactUri(job.artifact.bucket, job.artifact.key), sha256: job.artifact.sha256 },
    signer,
  );
}

const kinds = (ns: Notice[]) => ns.map((n) => n.type);

describe("alert conditions at a real webhook receiver", () => {
  let runnerSigner: NamedSigner;

  it("job.stuck: a backup leased past the bound reaches the receiver signed, once though two ticks saw it; resolved once the runner finishes", async () => {
    const ch = await channel("stuck", ["job.stuck"]);
    const { jobId } = await requestBackup(dev, cookie, db.id);
    const { job } = await claimJob(dev, runner.token, { version: "0.1.0", databases: [db.id] });
    expect(job?.jobId).toBe(jobId);
    if (job?.kind !== "backup") throw new Error(`expected a backup job, got ${JSON.stringify(job)}`);
    // Six minutes on (the bound is five), the job is still leased: two ticks see it stuck.
    await tick(Date.now() + 6 * MIN);
    await tick();
    let notices = await settled(ch);
    expect(kinds(notices)).toEqual(["alert.opened"]);
    expect(notices[0]!.data).toMatchObject({
      condition: "job.stuck",
      severity: "warning",
      subject: `job:${jobId}`,
      resolvedAt: null,
    });
    expect(notices[0]!.data.summary).toMatch(/^A backup job of shop has been running since /);

    // The runner finishes it; one clear tick is not enough, the second resolves the incident, a third adds nothing.
    const at = new Date().toISOString();
    await completeJob(dev, runner.token, jobId, {
      leaseId: job.leaseId,
      artifactSha256: SYNTHETIC_ARTIFACT_SHA256,
      result: syntheticBackupResult(runner.id, { startedAt: at, completedAt: at }),
    });
    await tick();
    expect(kinds(await settled(ch))).toEqual(["alert.opened"]);
    await tick();
    await receiver.until(() => ch.notices().length >= 2, "the job.stuck resolved notice");
    await tick();
    notices = await settled(ch);
    expect(kinds(notices)).toEqual(["alert.opened", "alert.resolved"]);
    expect(notices[1]!.data).toMatchObject({
      condition: "job.stuck",
      subject: `job:${jobId}`,
      incidentId: notices[0]!.data.incidentId,
    });
    expect(notices[1]!.data.resolvedAt).not.toBeNull();
    const backups = await apiCall(dev, "GET", `/v1/backups?databaseId=${db.id}`, { cookie });
    backupId = backups.items[0].id;
  });

  it("drill.failed: a drill whose signed receipt says it failed reaches the receiver once, with its reason; resolved once a later drill passes", async () => {
    expect(backupId, "the backup the job.stuck case made").toBeTruthy();
    const ch = await channel("drills", ["drill.failed"]);
    const key = await registerRunnerKey(5);
    expect(key.status).toBe("registered");
    runnerSigner = key.signer;
    const failing = await leasedDrill();
    await apiCall(dev, "POST", `/v1/runner/jobs/${failing.jobId}/drill`, {
      bearer: runner.token,
      body: {
        leaseId: failing.leaseId,
        receipt: receipt(failing, runnerSigner, "1 of 2 tables differ from the manifest"),
      },
    });
    await tick();
    await tick();
    let notices = await settled(ch);
    expect(kinds(notices)).toEqual(["alert.opened"]);
    expect(notices[0]!.data).toMatchObject({
      condition: "drill.failed",
      severity: "warning",
      subject: `database:${db.id}`,
      subjectName: "shop",
      summary: "The latest restore drill of shop failed",
      resolvedAt: null,
    });
    expect(notices[0]!.data.detail).toContain("1 of 2 tables differ from the manifest");

    // A later drill passes: the latest concluded drill is no longer a failure.
    const passing = await leasedDrill();
    await apiCall(dev, "POST", `/v1/runner/jobs/${passing.jobId}/drill`, {
      bearer: runner.token,
      body: { leaseId: passing.leaseId, receipt: receipt(passing, runnerSigner) },
    });
    await tick();
    expect(kinds(await settled(ch))).toEqual(["alert.opened"]);
    await tick();
    await receiver.until(() => ch.notices().length >= 2, "the drill.failed resolved notice");
    await tick();
    notices = await settled(ch);
    expect(kinds(notices)).toEqual(["alert.opened", "alert.resolved"]);
    expect(notices[1]!.data).toMatchObject({
      condition: "drill.failed",
      subject: `database:${db.id}`,
      incidentId: notices[0]!.data.incidentId,
    });
  });

  it("event notices: a restore issued, one completed, one failed and a runner's new key each reach the receiver once, already resolved", async () => {
    expect(runnerSigner, "the key the drill case registered").toBeTruthy();
    const ch = await channel("events", ["restore.issued", "restore.completed", "restore.failed", "key.rotated"]);
    await putBucketCredential(dev, cookie, "acme-backups", CREDENTIAL);
    secrets.push(CREDENTIAL.secretAccessKey);
    // A restore the CLI carries through to the end.
    const done = await issueRestore(dev, cookie, backupId);
    const doneClaim = await claimRestore(dev, { token: done.token, orgId });
    for (const t of [
      { state: "downloading" },
      { state: "verifying", sha256: SYNTHETIC_ARTIFACT_SHA256 },
      { state: "restoring" },
      { state: "completed", dryRun: false },
    ] as const)
      await reportTransition(dev, done.restoreId, doneClaim.progressToken, t);
    // One whose download fails, its reason (with a credential in it, as a careless error message might) redacted.
    const bad = await issueRestore(dev, cookie, backupId);
    const badClaim = await claimRestore(dev, { token: bad.token, orgId });
    await reportTransition(dev, bad.restoreId, badClaim.progressToken, { state: "downloading" });
    await reportTransition(dev, bad.restoreId, badClaim.progressToken, {
      state: "failed",
      stage: "download",
      reason: "connection reset by peer (postgres://app:s3cr3t-hunter2@db.internal:5432/shop)",
    });
    secrets.push(done.token, bad.token, doneClaim.progressToken, badClaim.progressToken, "s3cr3t-hunter2");
    // The runner replaces its key.
    const rotated = await registerRunnerKey(6);
    expect(rotated.status).toBe("rotated");

    await logSettled("runner.key_rotated");
    await tick();
    await receiver.until(() => ch.notices().length >= 5, "five event notices");
    // Events are seen by every tick of the next hour; they are notified once.
    await tick();
    const notices = await settled(ch);
    expect(notices).toHaveLength(5);
    expect(notices.every((n) => n.type === "alert.opened" && n.data.resolvedAt !== null)).toBe(true);
    expect(new Set(notices.map((n) => n.data.incidentId)).size).toBe(5);
    const of = (condition: string, subject: string) =>
      notices.filter((n) => n.data.condition === condition && n.data.subject === subject);
    for (const id of [done.restoreId, bad.restoreId]) {
      expect(of("restore.issued", `restore:${id}`), `restore.issued ${id}`).toHaveLength(1);
      expect(of("restore.issued", `restore:${id}`)[0]!.data.summary).toMatch(/^A restore of shop was issued by /);
    }
    expect(of("restore.completed", `restore:${done.restoreId}`).map((n) => n.data.summary)).toEqual([
      "A restore of shop completed",
    ]);
    const failed = of("restore.failed", `restore:${bad.restoreId}`);
    expect(failed.map((n) => [n.data.severity, n.data.summary])).toEqual([
      ["warning", "A restore of shop failed at download"],
    ]);
    expect(failed[0]!.data.detail).toContain("connection reset by peer");
    const newKey = of("key.rotated", `runner:${runner.id}`);
    expect(newKey.map((n) => n.data.detail)).toEqual([`new key ${rotated.vkey}`]);
  });

  it("key.rotated: the Worker restarted with a new checkpoint signing key; the org's next log append logs the rotation, which reaches the receiver once", async () => {
    const ch = await channel("keys", ["key.rotated"]);
    const oldVkey = dev.keys.checkpoint[0]!;
    // A deploy with a new secret: the old key's vkey retired (still published), a new key of the same name.
    const lines = readFileSync(envFile, "utf8").split("\n");
    const old = lines.find((l) => l.startsWith("CHECKPOINT_SIGNER_KEY="))!;
    const parsed = parseSignerKey(old.slice("CHECKPOINT_SIGNER_KEY=".length));
    if (!parsed.ok) throw new Error(parsed.message);
    const { secretKey } = generateKeyPair();
    const newSecret = formatSignerKey({ name: parsed.value.name, secretKey });
    const newVkey = formatVkey(parsed.value.name, publicKeyOf(secretKey));
    secrets.push(secretOf(newSecret));
    writeFileSync(
      envFile,
      [
        ...lines.filter((l) => l && l !== old),
        `CHECKPOINT_SIGNER_KEY=${newSecret}`,
        `RETIRED_VKEYS=${oldVkey}`,
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    await dev.stop();
    dev = await startDev({ persist, envFile, apiOnly: true, vars: VARS });
    expect(dev.keys.checkpoint).toEqual([newVkey, oldVkey]);
    // The org's next logged action: the Ledger logs key.rotated before it.
    await createDatabase(dev, cookie, "billing", "neon");
    await logSettled("key.rotated");
    await tick();
    await receiver.until(() => ch.notices().length >= 1, "the key.rotated notice");
    await tick();
    const notices = await settled(ch);
    expect(notices.map((n) => [n.type, n.data.condition, n.data.subject, n.data.detail])).toEqual([
      ["alert.opened", "key.rotated", "key:checkpoint", `new key ${newVkey}`],
    ]);
    expect(notices[0]!.data.summary).toBe("The checkpoint signing key was rotated");
  });

  it("no notice carries a secret: not the runner's token, a restore token or progress credential, a channel's secret, a signing or bucket key, nor a password in a reason", () => {
    expect(receiver.received.length).toBeGreaterThanOrEqual(10);
    // Every one is a real secret, long enough that finding it by chance is impossible.
    expect(secrets.filter((s) => s.length < 8)).toEqual([]);
    for (const r of receiver.received) for (const s of secrets) expect(r.body, r.url).not.toContain(s);
  });
});
