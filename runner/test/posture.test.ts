// The bucket's posture (SPEC §12) as the real walwarden-runner program reports it (a child process; it
// needs runner/dist): with its claims to the stand-in Worker (support/stand-in-worker.ts, every body parsed
// with the wire schemas), the first claim carrying it and the very next one not; and in `check`'s rows.
// Against the real local S3 (s3rver implements none of the five reads: every part unknown), and, in the
// tests named "(emulated: s3rver lacks it)", through the fault proxy answering those reads with S3's XML.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Cluster, startCluster, stopAllClusters } from "@walwarden/testing/postgres";
import { runRunner } from "@walwarden/testing/runner-parts";
import {
  ACCESS_DENIED,
  bucketPostureEmulation,
  type BucketPostureEmulation,
  encryptionXml,
  type FaultProxy,
  lifecycleXml,
  type LocalS3,
  objectLockXml,
  publicAccessBlockXml,
  startFaultProxy,
  startS3,
  versioningXml,
} from "@walwarden/testing/s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckRow } from "../src/check/check-row.js";
import { BUCKET, id, PREFIX, TOKEN } from "./support/prune-harness.js";
import { startStandInWorker, type StandInWorker } from "./support/stand-in-worker.js";

let pg: Cluster;
let s3: LocalS3;
let proxy: FaultProxy;
let emulation: BucketPostureEmulation;
let worker: StandInWorker;

/** A bucket with versioning, a 30-day default lock, public access blocked, KMS, and four lifecycle rules. */
const ANSWERS = {
  GetBucketVersioning: versioningXml("Enabled"),
  GetObjectLockConfiguration: objectLockXml({ mode: "GOVERNANCE", days: 30 }),
  GetPublicAccessBlock: publicAccessBlockXml({ BlockPublicPolicy: false }),
  GetBucketEncryption: encryptionXml("aws:kms", "arn:aws:kms:us-east-1:111122223333:key/1234abcd"),
  GetBucketLifecycleConfiguration: lifecycleXml([
    { id: "expire-backups", prefix: `${PREFIX}/`, expirationDays: 30 },
    { id: "expire-logs", prefix: "logs/", expirationDays: 1 },
    { id: "was-on", status: "Disabled", expirationDays: 2 },
    { id: "old-versions", noncurrentDays: 120 },
  ]),
};
const EMULATED_POSTURE = {
  bucket: BUCKET,
  versioning: "enabled",
  objectLock: { enabled: true, defaultMode: "GOVERNANCE", defaultDays: 30 },
  publicAccess: "open",
  encryption: "aws:kms",
  lifecycle: [
    { id: "expire-backups", days: 30 },
    { id: "old-versions", days: 120 },
  ],
};
const ALL_UNKNOWN = {
  bucket: BUCKET,
  versioning: "unknown",
  objectLock: "unknown",
  publicAccess: "unknown",
  encryption: "unknown",
  lifecycle: "unknown",
};

beforeAll(async () => {
  [pg, s3, worker] = await Promise.all([
    startCluster({ name: "posture-source" }),
    startS3({ bucket: BUCKET }),
    startStandInWorker({ leaseSeconds: 30 }),
  ]);
  emulation = bucketPostureEmulation(BUCKET, ANSWERS);
  proxy = await startFaultProxy({ target: s3.endpoint, rules: emulation.rule });
}, 240_000);
afterAll(async () => {
  await proxy?.stop();
  await worker?.stop();
  await s3?.stop();
  await stopAllClusters();
});

/** A runner config for the bucket at `endpoint` (drills off), in a fresh dir. */
function config(endpoint: string, bucket: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "ww-posture-cfg-"));
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
        endpoint,
        forcePathStyle: true,
        prefix: PREFIX,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        ...bucket,
      },
      pollSeconds: 0.2,
      heartbeatSeconds: 0.2,
      healthPort: -1,
      stateDir: join(dir, "state"),
      drills: { enabled: false },
    }),
  );
  return path;
}

/** A prune job whose one target is in another bucket (foreign: the runner makes no S3 request for it). */
function queueForeignPrune(): string {
  const jobId = id("job_prune");
  worker.queue({
    kind: "prune",
    jobId,
    databaseId: "db_main",
    decidedAt: new Date().toISOString(),
    policy: { keepLast: 1, timezone: "UTC" },
    targets: [
      {
        backupId: id("bk"),
        completedAt: new Date().toISOString(),
        artifact: {
          bucket: "someone-elses-bucket",
          key: `${PREFIX}/db_main/2026/01/02/bk_x.dump.zst`,
          versionId: null,
          etag: '"0123456789abcdef0123456789abcdef"',
          sha256: "a".repeat(64),
        },
        manifestSha256: "b".repeat(64),
        reason: "unkept",
      },
    ],
  });
  return jobId;
}

describe("the posture with the claims", () => {
  it("the first claim carries the posture, the very next claim none (emulated: s3rver lacks it)", async () => {
    const jobId = queueForeignPrune();
    const mark = worker.claimBodies.length;
    const r = await runRunner(["run", "--once", "--config", config(proxy.endpoint)]);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect(worker.jobs.get(jobId)?.state).toBe("pruned");
    const claims = worker.claimBodies.slice(mark);
    // One claim got the prune, the next found nothing and --once ended.
    expect(claims).toHaveLength(2);
    expect(claims[0]!.posture).toEqual(EMULATED_POSTURE);
    expect(claims[1]).not.toHaveProperty("posture");
    expect(worker.invalid).toEqual([]);
    expect(r.lines.find((l) => l.event === "posture.read")).toMatchObject({ posture: EMULATED_POSTURE, unknown: [] });
    expect(r.lines.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("against the real local S3 the claim carries an all-unknown posture, and nothing is logged as a warning", async () => {
    const mark = worker.claimBodies.length;
    const r = await runRunner(["run", "--once", "--config", config(s3.endpoint)]);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const claims = worker.claimBodies.slice(mark);
    expect(claims).toHaveLength(1);
    expect(claims[0]!.posture).toEqual(ALL_UNKNOWN);
    // The five reads run at once: the unknown parts are listed in the order their answers came.
    expect([...((r.lines.find((l) => l.event === "posture.read")?.unknown ?? []) as string[])].sort()).toEqual([
      "encryption",
      "lifecycle",
      "objectLock",
      "publicAccess",
      "versioning",
    ]);
    expect(r.lines.filter((l) => l.level === "warn")).toEqual([]);
  });
});

describe("walwarden-runner check's posture rows", () => {
  /** `check --json` with a config: its exit code and rows by name. */
  async function check(path: string) {
    const r = await runRunner(["check", "--json", "--config", path]);
    const rows = JSON.parse(r.stdout) as CheckRow[];
    return { code: r.code, rows, row: (name: string) => rows.find((x) => x.check === name), stdout: r.stdout };
  }

  it("a row per part with what it found, and a warning for a lifecycle rule deleting before the configured lock (emulated: s3rver lacks it)", async () => {
    const path = config(proxy.endpoint, { objectLock: { mode: "GOVERNANCE", retainDays: 90 } });
    const c = await check(path);
    expect(c.code, c.stdout).toBe(0);
    expect(c.rows.filter((x) => x.check.startsWith("posture "))).toEqual([
      { check: "posture versioning", ok: true, detail: "enabled" },
      { check: "posture objectLock", ok: true, detail: "enabled, default retention GOVERNANCE 30 days" },
      {
        check: "posture publicAccess",
        ok: true,
        detail: "open (not every public access block setting is on, or none is set)",
      },
      { check: "posture encryption", ok: true, detail: "default encryption aws:kms" },
      {
        check: "posture lifecycle",
        ok: true,
        detail: `2 enabled rules delete objects under ${PREFIX}/: "expire-backups" after 30 days, "old-versions" after 120 days`,
      },
      {
        check: "posture lifecycle before lock",
        ok: true,
        warning: true,
        detail: `a lifecycle rule deletes objects under ${PREFIX}/ before the 90 days bucket.objectLock.retainDays locks them for: "expire-backups" after 30 days`,
      },
    ]);
    // The table says warn in the result column, and the run still exits 0.
    const table = await runRunner(["check", "--config", path]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^posture lifecycle before lock\s+warn\s+a lifecycle rule deletes/m);
    expect(table.stdout).toMatch(/^posture versioning\s+ok\s+enabled$/m);
    // Without a configured lock there is nothing to compare the rules with.
    expect((await check(config(proxy.endpoint))).row("posture lifecycle before lock")).toBeUndefined();
  });

  it("a part the credentials may not read is a warning naming the permission (emulated: s3rver lacks it)", async () => {
    emulation.set({ ...ANSWERS, GetBucketLifecycleConfiguration: ACCESS_DENIED });
    try {
      const c = await check(config(proxy.endpoint, { objectLock: { mode: "GOVERNANCE", retainDays: 90 } }));
      expect(c.code, c.stdout).toBe(0);
      expect(c.row("posture lifecycle")).toEqual({
        check: "posture lifecycle",
        ok: true,
        warning: true,
        detail: expect.stringMatching(
          /^unknown: the credentials may not read it \(s3:GetLifecycleConfiguration; GetBucketLifecycleConfiguration: 403 AccessDenied: /,
        ),
      });
      expect(c.row("posture lifecycle before lock")).toBeUndefined();
      expect(c.row("posture versioning")).toMatchObject({ detail: "enabled" });
    } finally {
      emulation.set(ANSWERS);
    }
  });

  it("against the real local S3: every posture row a warning (unknown: not implemented), none a failure", async () => {
    const c = await check(config(s3.endpoint));
    expect(c.code, c.stdout).toBe(0);
    const posture = c.rows.filter((x) => x.check.startsWith("posture "));
    expect(posture.map((x) => x.check)).toEqual([
      "posture versioning",
      "posture objectLock",
      "posture publicAccess",
      "posture encryption",
      "posture lifecycle",
    ]);
    for (const x of posture) {
      expect(x).toMatchObject({ ok: true, warning: true });
      expect(x.detail).toMatch(/^unknown: the store does not implement Get\w+ \(/);
    }
    expect(c.row("posture objectLock")?.detail).toContain("501 NotImplemented");
    expect(c.stdout).not.toContain(s3.secretAccessKey);
  });
});
