// Proves the local Worker the tests stand on: the repository's wrangler.toml under wrangler's dev server,
// with local D1 and Durable Objects, driven through the real API (and a cron tick at a chosen time).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bootstrapOrg,
  claimJob,
  createDatabase,
  createRunnerToken,
  getJob,
  listBackups,
  publishedKeys,
  requestBackup,
  triggerCron,
} from "../api/index.js";
import {
  applyMigrations,
  cleanup,
  removeAtCleanup,
  startDev,
  tempDir,
  writeKeysEnvFile,
  type LocalWorker,
} from "./index.js";

afterAll(async () => {
  await cleanup();
});

describe("the real Worker under wrangler's dev server", () => {
  let dev: LocalWorker;
  beforeAll(async () => {
    const dir = removeAtCleanup(tempDir("walwarden-worker-test-"));
    const persist = join(dir, "state");
    await applyMigrations(persist);
    dev = await startDev({
      persist,
      envFile: writeKeysEnvFile(dir),
      vars: { LEASE_SECONDS: "5" },
      apiOnly: true,
    });
  });

  it("bootstraps an org, queues a backup, leases it to a runner for LEASE_SECONDS, and a cron tick re-queues it", async () => {
    const keys = await publishedKeys(dev);
    expect(keys.checkpoint).toHaveLength(1);
    const { cookie } = await bootstrapOrg(dev);
    const db = await createDatabase(dev, cookie, "shop");
    const runner = await createRunnerToken(dev, cookie, "runner-1");
    expect(runner.token).toMatch(/^wwr_/);
    const { jobId, backupId } = await requestBackup(dev, cookie, db.id);
    expect((await getJob(dev, cookie, jobId)).status).toBe("queued");

    const before = Date.now();
    const { job } = await claimJob(dev, runner.token, { databases: [db.id] });
    expect(job).toMatchObject({ jobId, backupId, databaseId: db.id, attempt: 1, runnerId: runner.id });
    const leaseMs = Date.parse(job!.leaseExpiresAt) - before;
    expect(leaseMs).toBeGreaterThan(3_000);
    expect(leaseMs).toBeLessThan(7_000);
    expect((await getJob(dev, cookie, jobId)).status).toBe("leased");
    expect((await claimJob(dev, runner.token, { databases: [db.id] })).job).toBeNull();

    // A tick at a time past the lease (the handler takes its "now" from the scheduled time) re-queues it.
    const tick = await triggerCron(dev, Date.parse(job!.leaseExpiresAt) + 1_000);
    expect(tick).toMatchObject({ event: "cron.tick", expired: 1 });
    expect(await getJob(dev, cookie, jobId)).toMatchObject({
      status: "queued",
      attempt: 1,
      lastError: expect.stringMatching(/lease expired/),
    });
    expect((await listBackups(dev, cookie, { databaseId: db.id })).items).toEqual([]);
  });
});
