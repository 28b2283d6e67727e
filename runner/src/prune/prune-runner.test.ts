// The real walwarden-runner program (a child process, as an operator runs it; it needs runner/dist) against
// the stand-in Worker on loopback, PostgreSQL 15 and s3rver behind the fault proxy, which emulates Object
// Lock (s3rver lacks it): new objects are locked as long as the policy may keep them; the loop claims prune
// jobs and runs them; a runner SIGKILLed mid-prune, restarted and given the same targets in a new job,
// reports them deleted with the keys it deleted before, and deletes nothing twice.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { type Cluster, startCluster, stopAllClusters } from "@walwarden/testing/postgres";
import { runRunner, startRunner } from "@walwarden/testing/runner-parts";
import {
  type FaultProxy,
  type FaultRule,
  localS3Client,
  type LocalS3,
  type ProxiedRequest,
  startFaultProxy,
  startS3,
} from "@walwarden/testing/s3";
import type { PruneTarget } from "@walwarden/verifier/wire";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUCKET, id, PREFIX, TOKEN } from "../../test/support/prune-harness.js";
import { bucketKeys, writeBackup } from "../../test/support/prune-kits.js";
import { startStandInWorker, type StandInWorker } from "../../test/support/stand-in-worker.js";
import { PRUNE_JOURNAL_FILE } from "./prune-journal.js";

const DAY = 86_400_000;
let pg: Cluster;
let s3: LocalS3;
let proxy: FaultProxy;
let worker: StandInWorker;
let client: S3Client;
let faults: FaultRule | undefined;

beforeAll(async () => {
  [pg, s3, worker] = await Promise.all([
    startCluster({ name: "prune-source" }),
    startS3({ bucket: BUCKET }),
    startStandInWorker({ leaseSeconds: 30 }),
  ]);
  proxy = await startFaultProxy({
    target: s3.endpoint,
    rules: (req, info) => faults?.(req, info),
    emulate: { bucket: BUCKET },
  });
  client = localS3Client({ ...s3, endpoint: proxy.endpoint });
}, 240_000);
afterAll(async () => {
  client?.destroy();
  await proxy?.stop();
  await worker?.stop();
  await s3?.stop();
  await stopAllClusters();
});

/** A runner config through the proxy, in a fresh dir (drills off: this runner claims backups and prunes). */
function config(extra: Record<string, unknown> = {}): { path: string; stateDir: string } {
  const dir = mkdtempSync(join(tmpdir(), "ww-prune-cfg-"));
  const stateDir = join(dir, "state");
  const path = join(dir, "runner.json");
  writeFileSync(
    path,
    JSON.stringify({
      api: worker.url,
      token: TOKEN,
      databases: { db_main: { url: pg.url("postgres") } },
      bucket: {
        bucket: BUCKET,
        region: s3.region,
        endpoint: proxy.endpoint,
        forcePathStyle: true,
        prefix: PREFIX,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      },
      pollSeconds: 0.2,
      heartbeatSeconds: 0.2,
      healthPort: -1,
      stateDir,
      drills: { enabled: false },
      ...extra,
    }),
  );
  return { path, stateDir };
}

const keyOf = (r: ProxiedRequest) => decodeURIComponent(r.path.slice(`/${BUCKET}/`.length));
const queuePrune = (targets: PruneTarget[]) => {
  const jobId = id("job_prune");
  worker.queue({
    kind: "prune",
    jobId,
    databaseId: "db_main",
    decidedAt: new Date().toISOString(),
    policy: { daily: 7, timezone: "UTC" },
    targets,
  });
  return jobId;
};

async function waitFor(test: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("locks follow the policy (Object Lock emulated: s3rver lacks it)", () => {
  it("locks a backup's artifact (PutObjectRetention) and kit for max(retainDays, minLockDays); a prune then reports each locked until then, and deletes it once the lock has passed (Object Lock emulated: s3rver lacks it)", async () => {
    const cfg = config();
    const c = JSON.parse(readFileSync(cfg.path, "utf8"));
    c.bucket.objectLock = { mode: "GOVERNANCE", retainDays: 30 };
    writeFileSync(cfg.path, JSON.stringify(c));
    const made: { backupId: string; days: number }[] = [];
    for (const [minLockDays, days] of [
      [90, 90],
      [7, 30],
      [null, 30],
    ] as const) {
      const backupId = id("bk");
      worker.queue({ kind: "backup", jobId: id("job"), databaseId: "db_main", backupId, minLockDays });
      made.push({ backupId, days });
    }
    const mark = proxy.requests.length;
    const writes = proxy.emulation!.writes.length;
    const r = await runRunner(["run", "--once", "--config", cfg.path]);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const recorded = proxy.emulation!.writes.slice(writes);
    const targets: PruneTarget[] = [];
    for (const m of made) {
      const done = [...worker.jobs.values()].find((j) => j.job.kind === "backup" && j.job.backupId === m.backupId)!
        .completed!;
      const { predicate } = done;
      const until = new Date(Date.parse(predicate.startedAt) + m.days * DAY).toISOString();
      expect(predicate.s3.objectLock).toEqual({ mode: "GOVERNANCE", retainUntil: until });
      // The dump is locked by PutObjectRetention (the request the proxy recorded, its body read by the emulation)…
      const retention = proxy
        .requestsOf("PutObjectRetention")
        .filter((q) => q.seq >= mark && keyOf(q) === predicate.s3.key);
      expect(retention).toHaveLength(1);
      expect(recorded.filter((w) => w.key === predicate.s3.key)).toEqual([
        { key: predicate.s3.key, via: "PutObjectRetention", mode: "GOVERNANCE", retainUntil: until, bypass: false },
      ]);
      // …after it was uploaded unlocked; each kit object is written locked until the same instant.
      const puts = proxy.requests
        .slice(mark)
        .filter((q) => q.op === "PutObject" && keyOf(q).startsWith(predicate.s3.key.replace(/\.dump\.zst$/, ".")));
      const dump = puts.filter((q) => keyOf(q) === predicate.s3.key);
      expect(dump.map((q) => q.headers["x-amz-object-lock-mode"])).toEqual([undefined]);
      const kit = puts.filter((q) => keyOf(q) !== predicate.s3.key);
      expect(kit).toHaveLength(6);
      for (const q of kit)
        expect(new Date(String(q.headers["x-amz-object-lock-retain-until-date"])).toISOString()).toBe(until);
      targets.push({
        backupId: m.backupId,
        completedAt: predicate.completedAt,
        artifact: {
          bucket: BUCKET,
          key: predicate.s3.key,
          versionId: predicate.s3.versionId,
          etag: predicate.s3.etag,
          sha256: done.artifactSha256,
        },
        manifestSha256: done.manifestSha256,
        reason: "unkept",
      });
    }

    // Pruned now, each is kept: locked until its retain-until.
    const first = queuePrune(targets);
    const p = await runRunner(["run", "--once", "--config", cfg.path]);
    expect(p.code, p.stdout.slice(-3000)).toBe(0);
    expect(worker.claims.at(-1)).toEqual(["backup", "prune"]);
    expect(worker.jobs.get(first)!.prune!.report.results.map((x) => [x.outcome, x.retainUntil])).toEqual(
      targets.map((t) => ["locked", recorded.find((w) => w.key === t.artifact.key)!.retainUntil]),
    );

    // Once the locks have passed (set back in the emulation), the first one goes, kit and all.
    const base = targets[0]!.artifact.key.replace(/\.dump\.zst$/, ".");
    for (const [key, r] of proxy.emulation!.retention)
      if (key.startsWith(base))
        proxy.emulation!.retention.set(key, { ...r, retainUntil: new Date(Date.now() - 1000).toISOString() });
    expect(await bucketKeys(client, BUCKET, base)).toHaveLength(7);
    const second = queuePrune([targets[0]!]);
    const q = await runRunner(["run", "--once", "--config", cfg.path]);
    expect(q.code, q.stdout.slice(-3000)).toBe(0);
    expect(worker.jobs.get(second)!.prune!.report.results[0]).toMatchObject({ outcome: "deleted" });
    expect(worker.jobs.get(second)!.prune!.report.results[0]!.deletedKeys).toHaveLength(7);
    expect(await bucketKeys(client, BUCKET, base)).toEqual([]);
    expect(proxy.emulation!.refusedDeletes).toEqual([]);
    expect(proxy.requests.filter((x) => Object.keys(x.headers).includes("x-amz-bypass-governance-retention"))).toEqual(
      [],
    );
  });
});

describe("the runner SIGKILLed mid-prune", () => {
  it("restarted and given the same targets in a new job, reports them deleted with the keys it deleted before (not missing), and deletes nothing twice", async () => {
    const written = [];
    for (const d of ["2026-07-01", "2026-07-02"])
      written.push(
        await writeBackup(client, {
          bucket: BUCKET,
          prefix: PREFIX,
          databaseId: "db_main",
          backupId: id("bk"),
          startedAt: new Date(`${d}T03:00:00.000Z`),
          drills: [id("dr")],
        }),
      );
    const [a, b] = written as [(typeof written)[0], (typeof written)[0]];
    const cfg = config();
    const mark = proxy.requests.length;
    // Hold the second delete (a's first kit file) so the runner is surely mid-prune, its artifact gone.
    let deletes = 0;
    faults = (_req, info) => (info.op === "DeleteObject" && ++deletes === 2 ? { action: "stall" } : undefined);
    const killed = queuePrune([a.target, b.target]);
    const runner = startRunner(["run", "--config", cfg.path]);
    try {
      await waitFor(
        () => proxy.requests.slice(mark).some((q) => q.outcome === "stalled"),
        60_000,
        "the stalled delete",
      );
      runner.child.kill("SIGKILL");
      await runner.exit;
    } finally {
      faults = undefined;
    }
    expect(worker.jobs.get(killed)!.prune).toBeUndefined();
    expect(await bucketKeys(client, BUCKET, a.target.artifact.key)).toEqual([]);
    const journal = JSON.parse(readFileSync(join(cfg.stateDir, PRUNE_JOURNAL_FILE), "utf8"));
    expect(journal.map((e: { deletes: { key: string }[] }) => e.deletes.map((d) => d.key))).toEqual([
      [a.target.artifact.key, a.keys[1]],
    ]);

    // The Worker decides again (a new job, the same targets); the restarted runner resumes.
    const again = queuePrune([a.target, b.target]);
    const r = await runRunner(["run", "--once", "--config", cfg.path]);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const results = worker.jobs.get(again)!.prune!.report.results;
    expect(results.map((x) => x.outcome)).toEqual(["deleted", "deleted"]);
    expect(results[0]!.deletedKeys[0]).toBe(a.target.artifact.key);
    expect([...results[0]!.deletedKeys].sort()).toEqual([...a.keys].sort());
    expect([...results[1]!.deletedKeys].sort()).toEqual([...b.keys].sort());
    const carried = proxy.requests
      .slice(mark)
      .filter((q) => q.op === "DeleteObject" && q.outcome === "forwarded")
      .map(keyOf);
    expect(carried.sort()).toEqual([...a.keys, ...b.keys].sort());
    expect(await bucketKeys(client, BUCKET, a.target.artifact.key.replace(/\.dump\.zst$/, "."))).toEqual([]);
    expect(JSON.parse(readFileSync(join(cfg.stateDir, PRUNE_JOURNAL_FILE), "utf8"))).toEqual([]);
    expect(r.lines.some((l) => l.event === "prune.deleted" && l.resumed === true)).toBe(true);
    expect(existsSync(cfg.stateDir)).toBe(true);
    expect(worker.invalid).toEqual([]);
  });
});

describe("prune.enabled: false", () => {
  it("claims no prune jobs (backups only, drills off): the queued prune waits for a runner that deletes", async () => {
    const cfg = config({ prune: { enabled: false } });
    const jobId = queuePrune([
      {
        backupId: "bk_never",
        completedAt: "2026-08-01T03:01:00.000Z",
        artifact: {
          bucket: BUCKET,
          key: `${PREFIX}/db_main/2026/08/01/bk_never.dump.zst`,
          versionId: null,
          etag: '"e"',
          sha256: "0".repeat(64),
        },
        manifestSha256: "0".repeat(64),
        reason: "unkept",
      },
    ]);
    const claims = worker.claims.length;
    const r = await runRunner(["run", "--once", "--config", cfg.path]);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect(worker.claims.slice(claims)).toEqual([["backup"]]);
    expect(worker.jobs.get(jobId)!.state).toBe("queued");
  });
});
