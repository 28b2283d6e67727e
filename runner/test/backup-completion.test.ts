// A signed backup is never deleted, and the log never claims a backup that runs again (issue 13, item
// 1), through the real Worker (wrangler dev), s3rver and PostgreSQL: the answer to complete lost after
// the log append, a malformed answer, the Worker's row write failing after the append (the Worker's
// test-only TEST_FAULTS hook, scoped to one bucket prefix), and the runner SIGKILLed between complete
// and the kit. Each ends with one backup.completed, the object present with the signed digest, and the
// kit written and verifying. A proxy in front of the Worker loses or mangles answers (no real part here
// does that on demand).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { backupKitReport, kitObjectKey, policyFromVkeys } from "@walwarden/verifier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, getJob, publishedKeys, requestBackup, triggerCron } from "@walwarden/testing/api";
import { type AnswerDroppingProxy, startAnswerDroppingProxy } from "./support/answer-dropping-proxy.js";
import {
  addDatabase,
  getObject,
  listKeys,
  type Parts,
  runRunner,
  runnerConfig,
  startParts,
  startRunner,
} from "@walwarden/testing/runner-parts";
import { createSampleDatabase } from "@walwarden/testing/sample-data";

/** Backups under this bucket prefix get the Worker's row write failing once, after the log append. */
const ROW_FAULT_PREFIX = "rowfault";

let parts: Parts;
let workerProxy: AnswerDroppingProxy;

beforeAll(async () => {
  parts = await startParts({
    workerVars: { TEST_FAULTS: `complete-row-write-once@s3://acme-backups/${ROW_FAULT_PREFIX}/` },
  });
  await createSampleDatabase(parts.pg, "shop");
  workerProxy = await startAnswerDroppingProxy(parts.dev.url);
}, 300_000);
afterAll(async () => {
  await workerProxy?.stop();
  await parts?.stop();
});

const isComplete = (path: string, jobId: string) => path === `/v1/runner/jobs/${jobId}/complete`;
const completesOf = (jobId: string) => workerProxy.calls.filter((c) => isComplete(c.path, jobId));

/** A database to back up and a runner config whose API calls go through the proxy (bucket prefix `prefix`). */
async function setUp(name: string, prefix = "walwarden") {
  const databaseId = await addDatabase(parts, name);
  const job = await requestBackup(parts.dev, parts.cookie, databaseId);
  const { path, stateDir } = runnerConfig(
    parts,
    { [databaseId]: { url: parts.pg.url("shop") } },
    {
      api: workerProxy.url,
      bucket: {
        bucket: parts.s3.bucket,
        region: parts.s3.region,
        endpoint: parts.proxy.endpoint,
        forcePathStyle: true,
        prefix,
        accessKeyId: parts.s3.accessKeyId,
        secretAccessKey: parts.s3.secretAccessKey,
      },
    },
  );
  return { databaseId, job, path, stateDir, prefix };
}

/** The org's backup.completed entries for one job (the log's D1 copy, read after the Ledger synced it). */
async function completedEntriesOf(jobId: string): Promise<{ data: { artifact: { sha256: string; uri: string } } }[]> {
  const page = await apiCall(parts.dev, "GET", "/v1/log/entries?limit=1000", { cookie: parts.cookie });
  return (page.entries as string[])
    .map((e) => JSON.parse(e))
    .filter((e) => e.type === "backup.completed" && e.data.jobId === jobId);
}

/** The pending completions in a runner's state dir. */
const pendingIn = (stateDir: string): { jobId: string }[] =>
  JSON.parse(readFileSync(join(stateDir, "pending-completions.json"), "utf8"));

/** Exactly one backup.completed, the object present with the signed digest, and the kit written and verifying. */
async function expectSignedAndKitted(s: Awaited<ReturnType<typeof setUp>>): Promise<void> {
  const { databaseId, job, prefix } = s;
  expect(await getJob(parts.dev, parts.cookie, job.jobId)).toMatchObject({ status: "succeeded" });
  const logged = await completedEntriesOf(job.jobId);
  expect(logged).toHaveLength(1);
  const keys = await listKeys(parts, `${prefix}/${databaseId}/`);
  const artifactKey = keys.find((k) => k.endsWith(".dump.zst"))!;
  expect(artifactKey).toContain(job.backupId);
  const kitKeys = (["manifest", "entry", "proof", "checkpoint", "readme", "script"] as const).map((f) =>
    kitObjectKey(artifactKey, f),
  );
  expect(keys).toEqual([artifactKey, ...kitKeys].sort());
  const sha = createHash("sha256")
    .update(await getObject(parts, artifactKey))
    .digest("hex");
  expect(logged[0]!.data.artifact).toMatchObject({ sha256: sha, uri: `s3://acme-backups/${artifactKey}` });
  const text = async (f: "manifest" | "entry" | "proof" | "checkpoint") =>
    (await getObject(parts, kitObjectKey(artifactKey, f))).toString("utf8");
  const keysNow = await publishedKeys(parts.dev);
  const policy = policyFromVkeys([...keysNow.checkpoint, ...keysNow.manifest]);
  if (!policy.ok) throw new Error(policy.message);
  const report = backupKitReport(
    {
      envelope: JSON.parse(await text("manifest")),
      entry: await text("entry"),
      proof: JSON.parse(await text("proof")),
      checkpoint: await text("checkpoint"),
    },
    policy.value,
    sha,
  );
  expect(report.failed, JSON.stringify(report.checks)).toBeUndefined();
  expect(pendingIn(s.stateDir)).toEqual([]);
}

describe("the answer to complete lost after the log append", () => {
  it("the runner retries with the same body, gets the same signed answer, and writes the kit", async () => {
    const s = await setUp("answer-lost");
    let dropped = 0;
    workerProxy.setRule((req) => (isComplete(req.url ?? "", s.job.jobId) && dropped++ === 0 ? "drop" : undefined));
    try {
      const r = await runRunner(["run", "--once", "--config", s.path]);
      expect(r.code, r.stdout.slice(-3000)).toBe(0);
    } finally {
      workerProxy.setRule(undefined);
    }
    // The Worker answered 200 to the first complete (it signed and logged); the runner never saw that answer.
    expect(completesOf(s.job.jobId).map((c) => [c.status, c.fault])).toEqual([
      [200, "drop"],
      [200, null],
    ]);
    await expectSignedAndKitted(s);
  });
});

describe("a malformed answer to complete", () => {
  it("keeps the object and the journal (the Worker may have signed), and the next start finishes the kit", async () => {
    const s = await setUp("garbled");
    workerProxy.setRule((req) => (isComplete(req.url ?? "", s.job.jobId) ? "garble" : undefined));
    const runner = startRunner(["run", "--config", s.path]);
    try {
      await runner.waitForLine((l) => l.event === "complete.retry");
      runner.child.kill("SIGTERM");
      const ended = await runner.exit;
      expect(ended.code, runner.stdout().slice(-3000)).toBe(0);
    } finally {
      workerProxy.setRule(undefined);
    }
    expect(runner.lines.some((l) => l.event === "backup.completion_pending")).toBe(true);
    expect(completesOf(s.job.jobId)[0]).toMatchObject({ status: 200, fault: "garble" });
    // Signed and logged by the Worker, so the object stays; no kit yet; the journal holds it.
    expect((await completedEntriesOf(s.job.jobId)).length).toBe(1);
    const keys = await listKeys(parts, `${s.prefix}/${s.databaseId}/`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/\.dump\.zst$/);
    expect(pendingIn(s.stateDir).map((p) => p.jobId)).toEqual([s.job.jobId]);

    const again = await runRunner(["run", "--once", "--config", s.path]);
    expect(again.code, again.stdout.slice(-3000)).toBe(0);
    expect(again.lines.some((l) => l.event === "completion.resumed")).toBe(true);
    await expectSignedAndKitted(s);
  });
});

describe("the Worker's row write failing after the log append", () => {
  it("the runner's retry finishes the completion: same entry, the job succeeded, the kit written", async () => {
    const s = await setUp("row-fault", ROW_FAULT_PREFIX);
    const r = await runRunner(["run", "--once", "--config", s.path]);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    // The first complete failed inside the Worker after the append (the test fault: a 500), the retry passed.
    expect(completesOf(s.job.jobId).map((c) => c.status)).toEqual([500, 200]);
    await expectSignedAndKitted(s);
  });
});

describe("the runner SIGKILLed between complete and the kit", () => {
  it("the next start completes again (same answer) and writes the kit; the job never runs again", async () => {
    const s = await setUp("killed-after-complete");
    const runner = startRunner(["run", "--config", s.path], { WALWARDEN_TEST_PAUSE_AFTER_COMPLETE: "1" });
    await runner.waitForLine((l) => l.event === "test.paused_after_complete");
    runner.child.kill("SIGKILL");
    await runner.exit;
    const keys = await listKeys(parts, `${s.prefix}/${s.databaseId}/`);
    expect(keys).toHaveLength(1);
    expect(pendingIn(s.stateDir).map((p) => p.jobId)).toEqual([s.job.jobId]);
    // Past the 6 s lease: the Worker finished the completion, so nothing re-queues the job.
    await new Promise((r) => setTimeout(r, 6_500));
    await triggerCron(parts.dev, Date.now());
    expect((await getJob(parts.dev, parts.cookie, s.job.jobId)).status).toBe("succeeded");

    const again = await runRunner(["run", "--once", "--config", s.path]);
    expect(again.code, again.stdout.slice(-3000)).toBe(0);
    expect(again.lines.some((l) => l.event === "backup.completed" && l.resumed === true)).toBe(true);
    expect(completesOf(s.job.jobId).map((c) => c.status)).toEqual([200, 200]);
    expect((await getJob(parts.dev, parts.cookie, s.job.jobId)).attempt).toBe(1);
    await expectSignedAndKitted(s);
  });
});
