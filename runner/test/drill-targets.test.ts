// Drill targets and cleanup against the stand-in Worker (wire-schema checked; support/stand-in-worker.ts):
// a scratch database on a configured server (dropped afterwards), a source's server refused as that
// target, a runner SIGKILLed mid-restore whose next start removes the leftover cluster (process and dir)
// while the stand-in sees the lease expire, and a backup and a drill run at once by one runner.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "@walwarden/testing/postgres";
import { addBulkData, createSampleDatabase } from "@walwarden/testing/sample-data";
import {
  drillConfig,
  drillJob,
  type DrillParts,
  id,
  type MadeBackup,
  makeBackup,
  runOnce,
  startDrillParts,
  startRun,
} from "./support/drill-parts.js";

let parts: DrillParts;
let scratch: Cluster;
let shop: MadeBackup;
/** A backup big enough that its restore takes a while (the kill and stop tests). */
let big: { backup: MadeBackup; cfg: { path: string; stateDir: string }; scratchDir: string } | undefined;

beforeAll(async () => {
  [parts, scratch] = await Promise.all([startDrillParts({ leaseSeconds: 3 }), startCluster({ name: "drill-scratch" })]);
  await createSampleDatabase(parts.pg, "shop");
  shop = await makeBackup(parts, drillConfig(parts, { db_shop: "shop" }), "db_shop");
}, 240_000);
afterAll(async () => parts?.stop());

const drillDatabases = async (c: Cluster) =>
  (await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'walwarden_drill_%'")).map(
    (r) => r.datname,
  );

/** Whether a process runs (a zombie does not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** The command lines of live processes that name `text` (the drill's dir: its pg_restore, its postmaster). */
function processesWith(text: string): string[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d) && alive(Number(d)))
    .map((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, "utf8").replaceAll("\0", " ");
      } catch {
        return "";
      }
    })
    .filter((c) => c.includes(text));
}

/** The big backup, made once; drills of it use a configured scratch dir (drills.local.scratchDir). */
async function bigBackup() {
  if (big) return big;
  await createSampleDatabase(parts.pg, "big");
  await addBulkData(parts.pg, "big", 40);
  const scratchDir = mkdtempSync(join(tmpdir(), "ww-drill-scratch-"));
  chmodSync(scratchDir, 0o711);
  const cfg = drillConfig(parts, { db_big: "big" }, { drills: { local: { scratchDir } } });
  big = { backup: await makeBackup(parts, cfg, "db_big"), cfg, scratchDir };
  return big;
}

describe("drill targets (stand-in Worker)", () => {
  it("drills.server: restores into walwarden_drill_<drill id> on the scratch server and drops it afterwards", async () => {
    const cfg = drillConfig(parts, { db_shop: "shop" }, { drills: { server: scratch.url("postgres") } });
    const job = drillJob(shop, { target: "server" });
    parts.worker.queue(job);
    const run = await runOnce(cfg);
    const p = parts.worker.jobs.get(job.jobId)!.receipt?.verified.predicate;
    expect(p?.outcome, run.stdout.slice(-2000)).toBe("passed");
    expect(p?.target).toEqual({ kind: "server", serverVersion: expect.stringMatching(/^15\./) });
    expect(p?.targetSetupMs).toBeGreaterThanOrEqual(0);
    expect(await drillDatabases(scratch)).toEqual([]);
    expect(parts.worker.invalid).toEqual([]);
  });

  it("refuses a scratch server that resolves to a source's server (localhost is 127.0.0.1, same port): a failed receipt at target, nothing created there", async () => {
    const source = new URL(parts.pg.url("postgres"));
    source.hostname = "localhost";
    const cfg = drillConfig(parts, { db_shop: "shop" }, { drills: { server: source.toString() } });
    const job = drillJob(shop, { target: "server" });
    parts.worker.queue(job);
    await runOnce(cfg);
    const p = parts.worker.jobs.get(job.jobId)!.receipt?.verified.predicate;
    expect(p?.outcome).toBe("failed");
    expect(p?.failure?.phase).toBe("target");
    expect(p?.failure?.reason).toMatch(/drills\.server is the server of the source database db_shop/);
    expect(p?.pgRestore.exitCode).toBeNull();
    expect(await drillDatabases(parts.pg)).toEqual([]);
  });

  it("SIGKILL mid-restore: the next start kills the leftover postmaster (it runs in the journal's dir), removes its dir and says so; the stand-in sees the lease expire", async () => {
    const { backup, cfg, scratchDir } = await bigBackup();
    const job = drillJob(backup, { drillId: id("dr_kill") });
    parts.worker.queue(job);
    const runner = startRun(cfg);
    await runner.waitForLine((l) => l.event === "drill.target_ready", 120_000);
    await new Promise((r) => setTimeout(r, 150));
    runner.child.kill("SIGKILL");
    await runner.exit;
    const [left] = JSON.parse(readFileSync(join(cfg.stateDir, "drill-targets.json"), "utf8")) as { dir: string }[];
    expect(left?.dir.startsWith(`${scratchDir}/drill-${job.drillId}-`)).toBe(true);
    const pid = Number(readFileSync(join(left!.dir, "cluster", "data", "postmaster.pid"), "utf8").split("\n")[0]);
    expect(alive(pid)).toBe(true);
    // pg_restore (its own process group) outlived the runner: the kill was mid-restore.
    expect(processesWith(left!.dir).some((c) => c.startsWith("pg_restore") || c.includes("/pg_restore"))).toBe(true);

    const next = await runOnce(cfg);
    const cleaned = next.lines.find((l) => l.event === "drill.cleanup");
    expect(cleaned).toMatchObject({ drillId: job.drillId, dir: left!.dir, killedPid: pid });
    expect(alive(pid)).toBe(false);
    expect(existsSync(left!.dir)).toBe(false);
    for (const deadline = Date.now() + 10_000; processesWith(left!.dir).length && Date.now() < deadline; )
      await new Promise((r) => setTimeout(r, 100));
    expect(processesWith(left!.dir)).toEqual([]);
    expect(readdirSync(scratchDir)).toEqual([]);
    expect(JSON.parse(readFileSync(join(cfg.stateDir, "drill-targets.json"), "utf8"))).toEqual([]);
    for (
      const deadline = Date.now() + 10_000;
      parts.worker.jobs.get(job.jobId)!.state === "claimed" && Date.now() < deadline;
    )
      await new Promise((r) => setTimeout(r, 100));
    expect(parts.worker.jobs.get(job.jobId)!.state).toBe("expired");
    expect(parts.worker.jobs.get(job.jobId)!.phases).toContain("restoring");
  });

  it("SIGTERM once the target is up: the drill is failed as retryable, its cluster stopped and its dir removed before the runner exits 0", async () => {
    const { backup, cfg, scratchDir } = await bigBackup();
    const job = drillJob(backup);
    parts.worker.queue(job);
    const runner = startRun(cfg);
    await runner.waitForLine((l) => l.event === "drill.target_ready", 120_000);
    const [live] = JSON.parse(readFileSync(join(cfg.stateDir, "drill-targets.json"), "utf8")) as { dir: string }[];
    runner.child.kill("SIGTERM");
    expect((await runner.exit).code).toBe(0);
    expect(parts.worker.jobs.get(job.jobId)).toMatchObject({ state: "failed", fail: { retryable: true } });
    expect(parts.worker.jobs.get(job.jobId)!.fail!.reason).toMatch(/shutting down/);
    expect(readdirSync(scratchDir)).toEqual([]);
    expect(processesWith(live!.dir)).toEqual([]);
    expect(JSON.parse(readFileSync(join(cfg.stateDir, "drill-targets.json"), "utf8"))).toEqual([]);
  });

  it("the bucket unreachable: the drill fails as retryable, without a receipt (the API re-queues it)", async () => {
    const bucket = {
      bucket: parts.s3.bucket,
      region: parts.s3.region,
      endpoint: "http://127.0.0.1:9",
      forcePathStyle: true,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
    };
    const cfg = drillConfig(parts, { db_shop: "shop" }, { bucket });
    const job = drillJob(shop);
    parts.worker.queue(job);
    await runOnce(cfg);
    const record = parts.worker.jobs.get(job.jobId)!;
    expect(record).toMatchObject({ state: "failed", fail: { retryable: true } });
    expect(record.fail!.reason).toMatch(/cannot read .*manifest\.json from the bucket/);
    expect(record.receipt).toBeUndefined();
  });

  it("runs a backup and a drill at once (concurrency 2) without either waiting for the other", async () => {
    const cfg = drillConfig(parts, { db_shop: "shop" }, { concurrency: 2 });
    const drill = drillJob(shop);
    const backup = { kind: "backup" as const, jobId: id("job"), databaseId: "db_shop", backupId: id("bk") };
    parts.worker.queue(drill);
    parts.worker.queue(backup);
    const run = await runOnce(cfg);
    const d = parts.worker.jobs.get(drill.jobId)!;
    const b = parts.worker.jobs.get(backup.jobId)!;
    expect(run.code, run.stdout.slice(-2000)).toBe(0);
    expect(d.receipt?.verified.predicate.outcome).toBe("passed");
    expect(b.state).toBe("completed");
    // Each was claimed before the other ended.
    expect(d.claimedAt!).toBeLessThan(b.endedAt!);
    expect(b.claimedAt!).toBeLessThan(d.endedAt!);
    expect(parts.worker.invalid).toEqual([]);
  });
});
