// Retention end to end through real parts: the Worker under wrangler dev (local D1 and Durable Objects),
// s3rver, a PostgreSQL 15 source and the real walwarden-runner. Five real backups; a retention policy set
// through the API; with nobody acting but the cron tick, the runner deletes exactly the expired backups'
// artifacts and kits from the bucket and nothing else, each deletion is logged as backup.expired and an
// exported evidence bundle recomputes every one of them offline; the next tick deletes nothing more.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BundlePaths, decodeEntry, type LogEntry, readBundle, recomputeExpiries, utf8 } from "@walwarden/verifier";
import { apiCall, publishedKeys, requestBackup, triggerCron } from "@walwarden/testing/api";
import {
  addDatabase,
  listKeys,
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
/** The artifact keys of the five backups, oldest first. */
const artifacts: string[] = [];

/** The org's whole log, decoded, in log order. */
async function log(): Promise<LogEntry[]> {
  const page = await apiCall<{ entries: string[] }>(parts.dev, "GET", "/v1/log/entries?limit=1000", {
    cookie: parts.cookie,
  });
  return page.entries.flatMap((text) => {
    const e = decodeEntry(utf8(text));
    return e.ok ? [e.value] : [];
  });
}

/** Every key of a backup's artifact and kit: the artifact key without its extension, as a prefix. */
const stem = (artifactKey: string) => `${artifactKey.replace(/\.dump(\.[a-z0-9]+)?$/, "")}.`;

beforeAll(async () => {
  parts = await startParts();
  await createSampleDatabase(parts.pg, "shop");
  databaseId = await addDatabase(parts, "shop");
  config = runnerConfig(parts, { [databaseId]: { url: parts.pg.url("shop") } });
  for (let i = 0; i < 5; i++) {
    await requestBackup(parts.dev, parts.cookie, databaseId);
    const r = await runRunner(["run", "--once", "--config", config.path]);
    const done = r.lines.find((l) => l.event === "backup.completed");
    if (r.code !== 0 || !done)
      throw new Error(`backup ${i + 1} did not complete (exit ${r.code}):\n${r.stdout.slice(-3000)}`);
    artifacts.push(String(done.key));
  }
}, 400_000);
afterAll(async () => parts?.stop());

describe("retention through the real Worker and runner", () => {
  it("a policy set through the API prunes the bucket on the tick: the expired backups' objects go, the kept ones are untouched, each deletion is logged", async () => {
    const before = await listKeys(parts);
    for (const a of artifacts) expect(before.filter((k) => k.startsWith(stem(a))).length).toBeGreaterThanOrEqual(5);
    await apiCall(parts.dev, "PUT", `/v1/databases/${databaseId}/retention-policy`, {
      cookie: parts.cookie,
      body: { keepLast: 2 },
    });
    // Nobody asks: the cron tick decides and queues the prune; the runner's next poll carries it out.
    await triggerCron(parts.dev, Date.now() + 60_000);
    const r = await runRunner(["run", "--once", "--config", config.path]);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);

    const after = await listKeys(parts);
    const expired = artifacts.slice(0, 3);
    const kept = artifacts.slice(3);
    for (const a of expired)
      expect(
        after.filter((k) => k.startsWith(stem(a))),
        a,
      ).toEqual([]);
    // What the policy keeps is untouched: every key of the two newest backups is still there.
    for (const a of kept)
      expect(after.filter((k) => k.startsWith(stem(a)))).toEqual(before.filter((k) => k.startsWith(stem(a))));
    // Nothing else goes: the only new keys are the witness's anchored checkpoints (SPEC §13), which stay.
    const anchored = (k: string) => k.includes("/checkpoints/");
    for (const k of before.filter(anchored)) expect(after).toContain(k);
    expect(after.filter((k) => !anchored(k)).length).toBe(
      before.filter((k) => !anchored(k)).length -
        expired.reduce((n, a) => n + before.filter((k) => k.startsWith(stem(a))).length, 0),
    );

    const entries = await log();
    const deletions = entries.filter((e) => e.type === "backup.expired");
    expect(deletions.map((e) => (e.data as { objectKey: string }).objectKey).sort()).toEqual([...expired].sort());
    for (const e of deletions)
      expect(e.data).toMatchObject({
        databaseId,
        reason: "unkept",
        policy: { keepLast: 2 },
        runnerId: parts.runner.id,
      });
    // Recomputed from the log alone, as an auditor would.
    expect(recomputeExpiries(entries).map((x) => x.status)).toEqual(["agrees", "agrees", "agrees"]);
  }, 240_000);

  it("the next tick and poll delete nothing more", async () => {
    const before = await listKeys(parts);
    await triggerCron(parts.dev, Date.now() + 120_000);
    const r = await runRunner(["run", "--once", "--config", config.path]);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect(r.lines.some((l) => String(l.event ?? "").startsWith("prune"))).toBe(false);
    expect(await listKeys(parts)).toEqual(before);
    expect((await log()).filter((e) => e.type === "backup.expired")).toHaveLength(3);
  }, 240_000);

  it("the runner's bucket posture reached the Worker: read on each run, logged once since it never changed", async () => {
    const { items } = await apiCall<{
      items: { bucket: string; runnerId: string; posture: object; worsening: string[] }[];
    }>(parts.dev, "GET", "/v1/bucket-postures", { cookie: parts.cookie });
    // s3rver implements none of the five reads: every part is unknown, which is never counted as worse.
    expect(items).toEqual([
      expect.objectContaining({
        bucket: parts.s3.bucket,
        runnerId: parts.runner.id,
        posture: {
          bucket: parts.s3.bucket,
          versioning: "unknown",
          objectLock: "unknown",
          publicAccess: "unknown",
          encryption: "unknown",
          lifecycle: "unknown",
        },
        worsening: [],
      }),
    ]);
    const postures = (await log()).filter((e) => e.type === "bucket.posture");
    expect(postures.map((e) => [e.actor, e.subject])).toEqual([
      [`runner:${parts.runner.id}`, `bucket:${parts.s3.bucket}`],
    ]);
  }, 60_000);

  it("an exported evidence bundle verifies offline and recomputes every deletion with its policy", async () => {
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
    const v = await run(process.execPath, [VERIFY_BIN, "bundle", zip, ...pinned, "--json"]);
    const report = JSON.parse(v.stdout) as {
      verdict: string;
      checks: { id: string; status: string; detail: string }[];
    };
    expect(report.verdict).toBe("verified");
    expect(report.checks.find((c) => c.id === "retention")).toMatchObject({
      status: "pass",
      detail: "3 deletion(s) recomputed: the policy expires each",
    });
    // Its report.html lists the three deletions, each recomputed, and the bucket's posture.
    const files = readBundle(bytes);
    if (!files.ok) throw new Error(files.message);
    const html = new TextDecoder().decode(files.value.get(BundlePaths.report)!);
    const retention = html.slice(html.indexOf("<h2>Retention</h2>"), html.indexOf("<h2>Bucket posture</h2>"));
    expect(retention.match(/yes: the policy expires it/g)).toHaveLength(3);
    expect(html).toContain(`<h3>Bucket ${parts.s3.bucket}</h3>`);
  }, 240_000);
});
