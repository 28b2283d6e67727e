// Restore drills against the stand-in Worker (every request parsed with the wire schemas; see
// support/stand-in-worker.ts), a PostgreSQL 15 source, s3rver and real pg_restore: the runner restores a
// backup it made into a throwaway cluster, checks it and signs a receipt that verifies with its
// registered key; a tampered artifact, a failing assertion and a pg_restore error each end in a signed
// failed receipt that says so; the kit keys are pinned on first use, or configured.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedPgBinDir } from "@walwarden/testing/postgres";
import { createSampleDatabase } from "@walwarden/testing/sample-data";
import { canonicalBytes, drillReceiptKey, fromBase64, verifyDrillReceipt } from "@walwarden/verifier";
import {
  defaultScratch,
  drillConfig,
  drillJob,
  getBytes,
  type DrillParts,
  type MadeBackup,
  makeBackup,
  putBytes,
  runOnce,
  startDrillParts,
} from "./support/drill-parts.js";
import { DEPLOYMENT, PUBLISHED_KEYS, RUNNER_ID } from "./support/stand-in-worker.js";

let parts: DrillParts;
let config: { path: string; stateDir: string };
let shop: MadeBackup;

beforeAll(async () => {
  parts = await startDrillParts();
  await createSampleDatabase(parts.pg, "shop");
  config = drillConfig(parts, { db_shop: "shop" });
  shop = await makeBackup(parts, config, "db_shop");
}, 240_000);
afterAll(async () => parts?.stop());

/** Runs one drill job through the runner; returns its record, the receipt verified with the registered key, and the run. */
async function drill(job: ReturnType<typeof drillJob>, cfg = config) {
  parts.worker.queue(job);
  const run = await runOnce(cfg);
  const record = parts.worker.jobs.get(job.jobId)!;
  expect(parts.worker.invalid).toEqual([]);
  return { record, run, receipt: record.receipt };
}

const runnerKeys = () => [
  { name: `${DEPLOYMENT}/runner/${RUNNER_ID}`, publicKey: fromBase64(parts.worker.runnerKey()!)! },
];

describe("a restore drill (stand-in Worker)", () => {
  it("restores the backup into a local cluster, checks it, and signs a receipt that verifies with the runner's key; it is in the bucket next to the kit", async () => {
    const job = drillJob(shop, {
      maxRtoSeconds: 600,
      assertions: [
        { name: "orders restored", sql: "select count(*) from sales.orders", expect: { op: "ge", value: 5000 } },
        { name: "a paid order", sql: "select bool_or(paid) from sales.orders", expect: { op: "eq", value: true } },
      ],
    });
    const { record, run, receipt } = await drill(job);
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(record.state).toBe("drilled");
    const p = receipt!.verified.predicate;
    expect(p.failure).toBeNull();
    expect(p.outcome).toBe("passed");
    // Verified again here, from the bucket's copy, with the registered public key only.
    const stored = await getBytes(parts, drillReceiptKey(shop.artifact.key, job.drillId));
    expect(stored.equals(Buffer.from(canonicalBytes(receipt!.envelope)))).toBe(true);
    const again = verifyDrillReceipt(JSON.parse(stored.toString("utf8")), runnerKeys(), {
      artifactSha256: shop.artifact.sha256,
      drillId: job.drillId,
      backupId: shop.backupId,
      manifestSha256: shop.manifestSha256,
    });
    expect(again.ok && again.value.findings).toEqual([]);
    expect(p.target.kind).toBe("local");
    expect(p.target.serverVersion).toMatch(/^15\./);
    expect(p.pgRestore).toMatchObject({ jobs: 2, exitCode: 0, errors: [] });
    expect(p.pgRestore.version).toMatch(/^15\./);
    expect(p.tables.length).toBeGreaterThan(3);
    expect(p.tables.every((t) => t.actualRows === t.expectedRows)).toBe(true);
    expect(p.schemaFingerprint.actual).toBe(p.schemaFingerprint.expected);
    expect(p.assertions.map((a) => [a.actual, a.passed])).toEqual([
      ["5000", true],
      ["t", true],
    ]);
    expect(p.rto.ms).toBe(p.phases.downloadVerifyMs + p.phases.restoreMs! + p.phases.checksMs!);
    expect(p.rto.targetMs).toBe(600_000);
    expect(record.phases).toEqual(expect.arrayContaining(["restoring"]));
    // The target is gone, and the journal is empty; the kit keys were pinned on first use.
    expect(readdirSync(defaultScratch(config))).toEqual([]);
    expect(JSON.parse(readFileSync(join(config.stateDir, "drill-targets.json"), "utf8"))).toEqual([]);
    expect(JSON.parse(readFileSync(join(config.stateDir, "pinned-keys.json"), "utf8"))).toMatchObject(PUBLISHED_KEYS);
    console.log(
      `drill phases (shop sample): ${JSON.stringify({ ...p.phases, targetSetupMs: p.targetSetupMs, rtoMs: p.rto.ms })}`,
    );
  });

  it("records a failing assertion (and one that is not one value) and signs a failed receipt naming it; drills.jobs sets pg_restore --jobs; of 15 and 18 the server of the dump's major is chosen", async () => {
    const binDirs = [embeddedPgBinDir(), parts.pg.binDir];
    const cfg = drillConfig(parts, { db_shop: "shop" }, { drills: { jobs: 3, local: { binDirs } } });
    const job = drillJob(shop, {
      assertions: [
        { name: "no customers", sql: "select count(*) from public.customers", expect: { op: "eq", value: 0 } },
        { name: "one value", sql: "select id from public.customers limit 2", expect: { op: "gt", value: 0 } },
        { name: "read only", sql: "create table intruder (id int)", expect: { op: "eq", value: "x" } },
      ],
    });
    const { record, receipt } = await drill(job, cfg);
    expect(record.state).toBe("drilled");
    const p = receipt!.verified.predicate;
    expect(p.outcome).toBe("failed");
    expect(p.failure?.phase).toBe("checks");
    expect(p.failure?.reason).toContain('assertion "no customers" failed (got 3000)');
    expect(p.pgRestore.jobs).toBe(3);
    expect(p.target.serverVersion).toMatch(/^15\./);
    expect(p.schemaFingerprint.actual).toBe(p.schemaFingerprint.expected);
    expect(p.tables.every((t) => t.actualRows === t.expectedRows)).toBe(true);
    const [none, two, write] = p.assertions;
    expect(none).toMatchObject({ actual: "3000", passed: false, error: null });
    expect(two).toMatchObject({
      actual: null,
      passed: false,
      error: "expected exactly one row of one column, got 2 rows of 1 column",
    });
    expect(write?.error).toMatch(/read-only transaction/);
    expect(receipt!.verified.findings).toHaveLength(3);
  });

  it("a tampered artifact ends in a failed receipt at verify: the digest is recorded and no target is made", async () => {
    const original = await getBytes(parts, shop.artifact.key);
    const tampered = Buffer.from(original);
    tampered[tampered.length >> 1]! ^= 0xff;
    await putBytes(parts, shop.artifact.key, tampered);
    try {
      const job = drillJob(shop);
      const { record, run, receipt } = await drill(job);
      expect(record.state).toBe("drilled");
      const p = receipt!.verified.predicate;
      expect(p.outcome).toBe("failed");
      expect(p.failure?.phase).toBe("verify");
      expect(p.failure?.reason).toContain("nothing was restored");
      expect(p.downloadedSha256).not.toBe(shop.artifact.sha256);
      expect(p.downloadedSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(p.target).toEqual({ kind: "local", serverVersion: null });
      expect(p.targetSetupMs).toBeNull();
      expect(p.pgRestore.exitCode).toBeNull();
      expect(p.phases.restoreMs).toBeNull();
      expect(run.lines.some((l) => l.event === "drill.target_ready")).toBe(false);
      expect(readdirSync(defaultScratch(config))).toEqual([]);
      expect(run.code).toBe(1); // --once: a failed drill is a failed job
    } finally {
      await putBytes(parts, shop.artifact.key, original);
    }
  });

  it("a pg_restore error (an extension the target's server lacks) ends in a failed receipt with pg_restore's words; drills.local.binDirs picks the server", async () => {
    // old_snapshot ships with PostgreSQL 15 and was removed in 17: a PostgreSQL 18 target cannot create it.
    await parts.pg.createDatabase("legacy");
    await parts.pg.query("CREATE EXTENSION old_snapshot; CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)", [], {
      db: "legacy",
    });
    const cfg = drillConfig(parts, { db_legacy: "legacy" }, { drills: { local: { binDirs: [embeddedPgBinDir()] } } });
    const legacy = await makeBackup(parts, cfg, "db_legacy");
    const { record, receipt } = await drill(drillJob(legacy), cfg);
    expect(record.state).toBe("drilled");
    const p = receipt!.verified.predicate;
    expect(p.target.serverVersion).toMatch(/^18\./);
    expect(p.outcome).toBe("failed");
    expect(p.failure?.phase).toBe("restore");
    expect(p.pgRestore.exitCode).toBe(1);
    expect(p.pgRestore.errors.join("\n")).toMatch(/^pg_restore: error: .*old_snapshot/m);
    expect(p.failure?.reason).toContain("old_snapshot");
    expect(p.phases.checksMs).toBeNull();
  });

  it("kit keys: pinned on first use and a changed published key is refused (no receipt); drills.trustedKeys verifies without the published keys", async () => {
    const other = {
      ...PUBLISHED_KEYS,
      manifest: ["test.walwarden.dev/manifest+00000000+AWR8hYM6dYOSqLbBpHOyb1ZYRQw1/zAc6zcRdW7gDHjN"],
    };
    parts.worker.publish(other);
    try {
      const refused = await drill(drillJob(shop));
      expect(refused.record.state).toBe("failed");
      expect(refused.record.fail?.retryable).toBe(false);
      expect(refused.record.fail?.reason).toMatch(/differ from the ones pinned/);
      expect(refused.receipt).toBeUndefined();
      const trusting = drillConfig(
        parts,
        { db_shop: "shop" },
        { drills: { trustedKeys: [...PUBLISHED_KEYS.checkpoint, ...PUBLISHED_KEYS.manifest] } },
      );
      const trusted = await drill(drillJob(shop), trusting);
      expect(trusted.receipt?.verified.predicate.outcome).toBe("passed");
      expect(existsSync(join(trusting.stateDir, "pinned-keys.json"))).toBe(false);
    } finally {
      parts.worker.publish(PUBLISHED_KEYS);
    }
  });
});
