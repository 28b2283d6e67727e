// Restore drills end to end through real parts: the Worker under wrangler dev (local D1 and Durable
// Objects), s3rver, a PostgreSQL 15 source and the real walwarden-runner, which starts its own throwaway
// cluster as the target. A drill policy set through the API leads, with nobody acting but the cron tick,
// to a signed and logged receipt that `walwarden-verify drill` accepts on its own and `walwarden-verify
// bundle --runner-key` accepts inside an exported evidence bundle; a failing assertion and a tampered
// artifact each end in drill.failed saying why.
import { execFile } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeEntry,
  drillReceiptKey,
  type DrillPredicate,
  formatVkey,
  fromBase64,
  generateKeyPair,
  parseCanonical,
  readBundle,
  utf8,
} from "@walwarden/verifier";
import type { Drill, Restorability } from "@walwarden/verifier/wire";
import { apiCall, publishedKeys, requestBackup, triggerCron } from "@walwarden/testing/api";
import {
  addDatabase,
  getObject,
  ROOT,
  runRunner,
  runnerConfig,
  startParts,
  tempFile,
  type Parts,
} from "@walwarden/testing/runner-parts";
import { createSampleDatabase } from "@walwarden/testing/sample-data";

const run = promisify(execFile);
const VERIFY_BIN = join(ROOT, "verifier/bin/walwarden-verify.js");

let parts: Parts;
let databaseId: string;
let config: { path: string; stateDir: string };
let artifactKey: string;
let runnerVkey: string;

/** `walwarden-verify <args>` as an auditor runs it: its exit code and output. */
async function verifyCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [VERIFY_BIN, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

/** The predicate of a drill's receipt, as the Worker serves it. */
function predicateOf(drill: Drill): DrillPredicate {
  const statement = parseCanonical(fromBase64(drill.receipt!.payload)!);
  if (!statement.ok) throw new Error("the receipt's statement is not canonical JSON");
  return (statement.value as { predicate: DrillPredicate }).predicate;
}

const getDrill = (id: string) => apiCall<Drill>(parts.dev, "GET", `/v1/drills/${id}`, { cookie: parts.cookie });
const setPolicy = (body: Record<string, unknown>) =>
  apiCall(parts.dev, "PUT", `/v1/databases/${databaseId}/drill-policy`, { cookie: parts.cookie, body });
const drillNow = () =>
  apiCall<Drill>(parts.dev, "POST", `/v1/databases/${databaseId}/drills`, { cookie: parts.cookie, body: {} });
/** The org's log entries of the given types, decoded, in log order. */
async function logEntries(...types: string[]) {
  const page = await apiCall<{ entries: string[] }>(parts.dev, "GET", "/v1/log/entries?limit=1000", {
    cookie: parts.cookie,
  });
  return page.entries
    .map((text) => decodeEntry(utf8(text)))
    .flatMap((e) => (e.ok && types.includes(e.value.type) ? [e.value] : []));
}

beforeAll(async () => {
  parts = await startParts();
  await createSampleDatabase(parts.pg, "shop");
  databaseId = await addDatabase(parts, "shop");
  config = runnerConfig(parts, { [databaseId]: { url: parts.pg.url("shop") } });
  // As root, the drill cluster runs as the postgres OS user, which must reach <stateDir>/drills.
  chmodSync(dirname(config.stateDir), 0o711);
  await requestBackup(parts.dev, parts.cookie, databaseId);
  const r = await runRunner(["run", "--once", "--config", config.path]);
  const done = r.lines.find((l) => l.event === "backup.completed");
  if (r.code !== 0 || !done) throw new Error(`the backup did not complete (exit ${r.code}):\n${r.stdout.slice(-3000)}`);
  artifactKey = String(done.key);
  const key = r.lines.find((l) => l.event === "runner.key_registered");
  if (!key) throw new Error(`the runner did not register its key:\n${r.stdout.slice(-3000)}`);
  runnerVkey = String(key.vkey);
}, 300_000);
afterAll(async () => parts?.stop());

describe("restore drills through the real Worker", () => {
  let passed: Drill;
  /** The drills that failed (the assertion, the tampered artifact): report.html lists each. */
  const failedIds: string[] = [];

  it("a policy set through the API and the cron tick lead, with nobody acting, to a passed drill whose receipt is logged, stored next to the kit, and verifies with walwarden-verify drill", async () => {
    await setPolicy({
      cron: "*/5 * * * *",
      maxRtoSeconds: 600,
      assertions: [
        { name: "orders restored", sql: "select count(*) from sales.orders", expect: { op: "ge", value: 5000 } },
      ],
    });
    const before = await apiCall<Restorability>(parts.dev, "GET", `/v1/databases/${databaseId}/restorability`, {
      cookie: parts.cookie,
    });
    expect(before.status).toBe("never-proven");
    // The tick at the policy's next slot queues the drill (with the latest backup); the runner does the rest.
    await triggerCron(parts.dev, Date.parse(before.nextDrillAt!) + 1000);
    const r = await runRunner(["run", "--once", "--config", config.path]);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const page = await apiCall<{ items: Drill[] }>(parts.dev, "GET", `/v1/drills?databaseId=${databaseId}`, {
      cookie: parts.cookie,
    });
    expect(page.items).toHaveLength(1);
    passed = page.items[0]!;
    expect(passed).toMatchObject({ status: "passed", trigger: "schedule", runnerId: parts.runner.id, runnerVkey });
    const p = predicateOf(passed);
    expect(p.outcome).toBe("passed");
    expect(p.target.serverVersion).toMatch(/^15\./);
    expect(p.tables.length).toBeGreaterThan(3);
    expect(p.tables.every((t) => t.actualRows === t.expectedRows)).toBe(true);
    expect(p.assertions.map((a) => [a.name, a.actual, a.passed])).toEqual([["orders restored", "5000", true]]);
    expect(passed.rtoMs).toBe(p.rto.ms);
    expect(p.rto.targetMs).toBe(600_000);

    // Logged: drill.scheduled by the cron, drill.completed by the runner with the receipt's digest.
    const logged = await logEntries("drill.scheduled", "drill.completed", "runner.key_registered");
    expect(logged.map((e) => [e.type, e.actor])).toEqual([
      ["runner.key_registered", `runner:${parts.runner.id}`],
      ["drill.scheduled", "system:cron"],
      ["drill.completed", `runner:${parts.runner.id}`],
    ]);
    expect(logged[2]!.data).toMatchObject({ drillId: passed.id, receiptSha256: passed.receiptSha256, runnerVkey });

    // The bucket's copy, checked offline by an auditor who pinned the runner's key, with the artifact.
    const stored = await getObject(parts, drillReceiptKey(artifactKey, passed.id));
    const receiptFile = tempFile("receipt.json", stored);
    const artifactFile = tempFile("backup.dump.zst", await getObject(parts, artifactKey));
    const ok = await verifyCli("drill", receiptFile, "--key", runnerVkey, "--artifact", artifactFile);
    expect(ok.stderr).toBe("");
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain(`receipt SHA-256 ${passed.receiptSha256}`);
    expect(ok.stdout).toMatch(/ok +Every table has the manifest's row count: (\d+) of \1 match/);
    const rogue = await verifyCli("drill", receiptFile, "--key", (await publishedKeys(parts.dev)).manifest[0]!);
    expect(rogue.code).toBe(2); // a manifest key is not a runner's key

    const after = await apiCall<Restorability>(parts.dev, "GET", `/v1/databases/${databaseId}/restorability`, {
      cookie: parts.cookie,
    });
    expect(after.status).toBe("proven");
    expect(after.lastPass?.id).toBe(passed.id);
    // The runner removed its throwaway cluster.
    expect(readdirSync(join(config.stateDir, "drills"))).toEqual([]);
  }, 240_000);

  it("a failing assertion ends in drill.failed naming it, with a signed failed receipt", async () => {
    await setPolicy({
      cron: "*/5 * * * *",
      assertions: [{ name: "no orders", sql: "select count(*) from sales.orders", expect: { op: "eq", value: 0 } }],
    });
    const queued = await drillNow();
    failedIds.push(queued.id);
    expect(queued.status).toBe("queued");
    const r = await runRunner(["run", "--once", "--config", config.path]);
    expect(r.code).toBe(1); // --once: a failed drill is a failed job
    const drill = await getDrill(queued.id);
    expect(drill.status).toBe("failed");
    expect(drill.reason).toContain('assertion "no orders" failed (got 5000)');
    const p = predicateOf(drill);
    expect(p.failure?.phase).toBe("checks");
    expect(p.pgRestore.exitCode).toBe(0);
    const failed = (await logEntries("drill.failed")).find(
      (e) => e.type === "drill.failed" && e.data.drillId === drill.id,
    );
    expect(failed?.data).toMatchObject({ receiptSha256: drill.receiptSha256, willRetry: false });
    // The auditor's tool says: authentic, and the drill failed.
    const file = tempFile("failed.json", await getObject(parts, drillReceiptKey(artifactKey, drill.id)));
    const v = await verifyCli("drill", file, "--key", runnerVkey, "--json");
    expect(v.code).toBe(1);
    const report = JSON.parse(v.stdout) as { failed: string; checks: { id: string; status: string }[] };
    expect(report.failed).toBe("drill.outcome");
    expect(report.checks.find((c) => c.id === "drill.receipt")?.status).toBe("pass");
  }, 240_000);

  it("a tampered artifact fails the drill at verification: nothing is restored", async () => {
    await setPolicy({ cron: "*/5 * * * *" });
    const original = await getObject(parts, artifactKey);
    const tampered = Buffer.from(original);
    tampered[tampered.length >> 1]! ^= 0xff;
    const put = (body: Uint8Array) =>
      parts.s3Client.send(new PutObjectCommand({ Bucket: parts.s3.bucket, Key: artifactKey, Body: body }));
    await put(tampered);
    try {
      const queued = await drillNow();
      failedIds.push(queued.id);
      const r = await runRunner(["run", "--once", "--config", config.path]);
      expect(r.code).toBe(1);
      const drill = await getDrill(queued.id);
      expect(drill.status).toBe("failed");
      const p = predicateOf(drill);
      expect(p.failure?.phase).toBe("verify");
      expect(p.pgRestore.exitCode).toBeNull();
      expect(p.target.serverVersion).toBeNull();
      expect(p.downloadedSha256).not.toBeNull();
      expect(p.downloadedSha256).not.toBe(JSON.parse(atob(drill.receipt!.payload)).subject[0].digest.sha256);
    } finally {
      await put(original);
    }
  }, 240_000);

  it("an exported evidence bundle carries the period's receipts and verifies with the runner key pinned; report.html shows the drills", async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const res = await fetch(`${parts.dev.url}/v1/evidence`, {
      method: "POST",
      headers: { cookie: parts.cookie, "content-type": "application/json" },
      body: JSON.stringify({ from, to }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const zip = tempFile("evidence.zip", bytes);
    const keys = await publishedKeys(parts.dev);
    const pinned = [...keys.checkpoint, ...keys.manifest].flatMap((k) => ["--key", k]);
    const v = await verifyCli("bundle", zip, ...pinned, "--runner-key", runnerVkey, "--json");
    expect(v.stderr).toBe("");
    expect(v.code, v.stdout).toBe(0);
    const report = JSON.parse(v.stdout) as { checks: { id: string; status: string; detail: string }[] };
    expect(report.checks.find((c) => c.id === "drills")).toMatchObject({
      status: "pass",
      detail: "3 drill receipt(s) verified",
    });
    // With another runner's key pinned instead, the same bundle does not verify.
    const deployment = runnerVkey.split("+")[0]!.replace(/\/runner\/[^/]+$/, "");
    const otherKey = formatVkey(`${deployment}/runner/rnr_other`, generateKeyPair().publicKey);
    const other = await verifyCli("bundle", zip, ...pinned, "--runner-key", otherKey);
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/NOT VERIFIED: check drills failed/);
    // The report lists each failed drill by id, and the database's drills: three run, one passed.
    const files = readBundle(bytes);
    if (!files.ok) throw new Error(files.message);
    const html = new TextDecoder().decode(files.value.get("report.html")!);
    expect(failedIds).toHaveLength(2);
    for (const id of failedIds) expect(html).toContain(id);
    expect(html).toContain(`<td>${databaseId}</td><td>3</td><td>1</td><td>2</td>`);
  }, 240_000);

  it("with bucket.objectLock set, the receipt is written locked like the kit: the mode, the retention, an integrity checksum (the local S3 server keeps no lock: the request is what is checked)", async () => {
    await setPolicy({ cron: "*/5 * * * *" });
    const queued = await drillNow();
    const cfg = JSON.parse(readFileSync(config.path, "utf8"));
    const locked = { ...config, path: join(dirname(config.path), "runner-locked.json") };
    writeFileSync(
      locked.path,
      JSON.stringify({ ...cfg, bucket: { ...cfg.bucket, objectLock: { mode: "COMPLIANCE", retainDays: 7 } } }),
    );
    const mark = parts.proxy.requests.length;
    const r = await runRunner(["run", "--once", "--config", locked.path]);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect((await getDrill(queued.id)).status).toBe("passed");
    const key = drillReceiptKey(artifactKey, queued.id);
    const writes = parts.proxy.requests.slice(mark).filter((q) => q.op === "PutObject" && q.path.endsWith(key));
    expect(writes).toHaveLength(1);
    const h = writes[0]!.headers;
    expect(h["x-amz-object-lock-mode"]).toBe("COMPLIANCE");
    const days = (Date.parse(String(h["x-amz-object-lock-retain-until-date"])) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);
    expect(Object.keys(h).some((k) => k.startsWith("x-amz-checksum-") || k === "content-md5")).toBe(true);
  }, 240_000);
});
