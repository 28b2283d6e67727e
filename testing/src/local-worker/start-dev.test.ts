// Proves the local Worker the tests stand on: the repository's wrangler.toml under wrangler's dev server,
// with local D1 and Durable Objects, driven through the real API (and a cron tick at a chosen time).
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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

describe("wrangler's dev server as the harness runs it", () => {
  it("does not watch the Worker's sources: an edit that breaks the build leaves the running Worker serving", async () => {
    const dir = removeAtCleanup(tempDir("walwarden-no-watch-"));
    const entry = join(dir, "entry.js");
    // JSON (startDev reads it as the published keys) and a KV binding (so the runtime opens the persist dir).
    writeFileSync(entry, "export default { fetch: () => Response.json({ version: 1 }) };\n");
    const config = join(dir, "wrangler.toml");
    writeFileSync(
      config,
      `name = "no-watch"\nmain = "entry.js"\ncompatibility_date = "2026-04-01"\n[[kv_namespaces]]\nbinding = "KV"\nid = "no-watch"\n`,
    );
    const tiny = await startDev({ persist: join(dir, "state"), envFile: writeKeysEnvFile(dir), config });
    try {
      expect(await (await fetch(tiny.url)).json()).toEqual({ version: 1 });
      // Before: esbuild's watcher saw this, failed to build it, and wrangler's proxy held every request after.
      writeFileSync(entry, "export default { fetch: () => Response.json(\n");
      await new Promise((r) => setTimeout(r, 3_000));
      const answer = await fetch(tiny.url, { signal: AbortSignal.timeout(10_000) });
      expect(await answer.json()).toEqual({ version: 1 });
      expect(tiny.stdout + tiny.stderr).not.toMatch(/Build failed|Reloading local server/);
    } finally {
      await tiny.stop();
    }
  });
});

describe("a port that is taken", () => {
  it("is said at once, not after the start timeout (a port of its own choosing is tried again; a fixed one is not)", async () => {
    const dir = removeAtCleanup(tempDir("walwarden-port-taken-"));
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as AddressInfo).port;
    const t0 = Date.now();
    try {
      await expect(
        startDev({ persist: join(dir, "state"), envFile: writeKeysEnvFile(dir), apiOnly: true, port }),
      ).rejects.toThrow(/could not bind a port/);
      expect(Date.now() - t0).toBeLessThan(60_000);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
