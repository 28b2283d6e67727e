// The runner's own key against the stand-in Worker (wire-schema checked; support/stand-in-worker.ts): made
// on first start in the state dir (0600, never logged), registered with its proof at start, the same key
// again on the next start, a new one (a rotation the Worker logs) when the state dir lost it; while the
// registration fails no drill is claimed and backups go on; drills.enabled false claims no drills.
import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSampleDatabase } from "@walwarden/testing/sample-data";
import { fromBase64, verifyDrillReceipt } from "@walwarden/verifier";
import {
  drillConfig,
  drillJob,
  type DrillParts,
  id,
  type MadeBackup,
  makeBackup,
  runOnce,
  startDrillParts,
} from "./support/drill-parts.js";
import { DEPLOYMENT, RUNNER_ID } from "./support/stand-in-worker.js";

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

const keyFile = (cfg: { stateDir: string }) => join(cfg.stateDir, "runner-key.json");
const readKey = (cfg: { stateDir: string }) =>
  JSON.parse(readFileSync(keyFile(cfg), "utf8")) as { seed: string; publicKey: string };

describe("the runner key (stand-in Worker)", () => {
  it("is made on first start (0600), registered with its proof, the same on the next start, never in the logs", async () => {
    // The first start (the backup in beforeAll) made and registered it.
    const key = readKey(config);
    expect(statSync(keyFile(config)).mode & 0o777).toBe(0o600);
    expect(parts.worker.registrations).toEqual([{ publicKey: key.publicKey, status: "registered" }]);
    const job = drillJob(shop);
    parts.worker.queue(job);
    const run = await runOnce(config);
    expect(parts.worker.registrations.at(-1)).toEqual({ publicKey: key.publicKey, status: "unchanged" });
    expect(readKey(config)).toEqual(key);
    expect(run.stdout).not.toContain(key.seed);
    expect(run.lines.find((l) => l.event === "runner.key_registered")).toMatchObject({
      vkey: expect.stringMatching(new RegExp(`^${DEPLOYMENT}/runner/${RUNNER_ID}\\+`)),
      status: "unchanged",
    });
    // Its receipt is signed by that key under the Worker's name for it.
    const receipt = parts.worker.jobs.get(job.jobId)!.receipt!;
    const v = verifyDrillReceipt(receipt.envelope, [
      { name: `${DEPLOYMENT}/runner/${RUNNER_ID}`, publicKey: fromBase64(key.publicKey)! },
    ]);
    expect(v.ok && v.value.signedBy[0]).toMatch(new RegExp(`^${DEPLOYMENT}/runner/${RUNNER_ID}\\+[0-9a-f]{8}$`));
  });

  it("a lost answer to the drill result is retried with the same receipt (the Worker answers it once more)", async () => {
    parts.worker.loseDrillAnswers(1);
    const job = drillJob(shop);
    parts.worker.queue(job);
    const run = await runOnce(config);
    const record = parts.worker.jobs.get(job.jobId)!;
    expect(run.code, run.stdout.slice(-2000)).toBe(0);
    expect(record.receipt?.posts).toBe(2);
    expect(record.receipt?.verified.predicate.outcome).toBe("passed");
  });

  it("a lost state dir means a new key: registered again, the Worker calls it a rotation", async () => {
    const before = readKey(config).publicKey;
    rmSync(keyFile(config));
    const run = await runOnce(config);
    const after = readKey(config).publicKey;
    expect(after).not.toBe(before);
    expect(parts.worker.registrations.at(-1)).toEqual({ publicKey: after, status: "rotated" });
    expect(run.lines.some((l) => l.event === "runner.key_created")).toBe(true);
  });

  it("while the registration fails, drills are not claimed (backups go on); once it succeeds they are", async () => {
    parts.worker.refuseKeys(400); // a refusal (a 5xx is retried by the API client first, then the same)
    const drill = drillJob(shop);
    const backup = { kind: "backup" as const, jobId: id("job"), databaseId: "db_shop", backupId: id("bk") };
    parts.worker.queue(drill);
    parts.worker.queue(backup);
    const claimsBefore = parts.worker.claims.length;
    try {
      const refused = await runOnce(config);
      expect(refused.lines.find((l) => l.event === "runner.key_registration_failed")?.msg).toMatch(
        /drills are not claimed/,
      );
      expect(parts.worker.jobs.get(backup.jobId)!.state).toBe("completed");
      expect(parts.worker.jobs.get(drill.jobId)!.state).toBe("queued");
      // Backups (and prunes) go on; drills are not asked for.
      expect(parts.worker.claims.slice(claimsBefore).every((k) => k.join() === "backup,prune")).toBe(true);
    } finally {
      parts.worker.refuseKeys(undefined);
    }
    await runOnce(config);
    expect(parts.worker.jobs.get(drill.jobId)!.receipt?.verified.predicate.outcome).toBe("passed");
  });

  it("drills.enabled false: claims no drills (backups and prunes), makes no key and registers none", async () => {
    const cfg = drillConfig(parts, { db_shop: "shop" }, { drills: { enabled: false } });
    const registrations = parts.worker.registrations.length;
    const claimsBefore = parts.worker.claims.length;
    const drill = drillJob(shop);
    parts.worker.queue(drill);
    await runOnce(cfg);
    expect(parts.worker.claims.slice(claimsBefore)).toEqual([["backup", "prune"]]);
    expect(parts.worker.registrations.length).toBe(registrations);
    expect(() => statSync(keyFile(cfg))).toThrow();
    expect(parts.worker.jobs.get(drill.jobId)!.state).toBe("queued");
    parts.worker.jobs.get(drill.jobId)!.state = "failed"; // out of the queue for the next tests
  });
});
