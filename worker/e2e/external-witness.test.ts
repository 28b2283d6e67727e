// External witnesses end to end (verifier/SPEC.md §13): the real Worker under wrangler's dev server and a C2SP
// tlog-witness server on loopback written from the spec (@walwarden/testing/tlog-witness; loopback is allowed by
// ALERTS_ALLOW_LOOPBACK, a development setting). An admin configures the witness; the cron tick pushes the
// org's newest checkpoint with add-checkpoint (old 0 and no proof first, then the proof from the size it
// cosigned), the witness checks the log's signature and the proof and cosigns, and the Worker serves its line
// with the checkpoint. A witness restarted with older state answers 409 with its size and the Worker resyncs
// from it; one whose state is another history answers 422 and nothing is kept. A witness that is down, or that
// never answers, does not block appends or backups: the checkpoints wait, GET /v1/witnesses shows the lag
// growing, and once it is back the next tick catches up.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CosignerKey,
  parseCosignerVkey,
  policyFromVkeys,
  verifyCheckpoint,
  verifyCosignatures,
} from "@walwarden/verifier";
import type { Witness, WitnessList } from "@walwarden/verifier/wire";
import {
  apiCall,
  bootstrapOrg,
  claimJob,
  completeJob,
  createDatabase,
  createRunnerToken,
  requestBackup,
  SYNTHETIC_ARTIFACT_SHA256,
  syntheticBackupResult,
  triggerCron,
  type CronTickStats,
} from "@walwarden/testing/api";
import {
  applyMigrations,
  type LocalWorker,
  removeAtCleanup,
  startDev,
  tempDir,
  writeKeysEnvFile,
} from "@walwarden/testing/local-worker";
import { type LogState, TlogWitness } from "@walwarden/testing/tlog-witness";

const MIN = 60_000;
const NAME = "witness.example/e2e";
const witness = new TlogWitness({ name: NAME, secretKey: new Uint8Array(32).fill(0x2a) });
const path = `/v1/witnesses/${encodeURIComponent(NAME)}`;

let dev: LocalWorker;
let cookie: string;
let origin: string;
let pinned: CosignerKey;

/** The tick's witness step stats. */
type WitnessStats = { due: number; cosigned: number; resynced: number; failed: number; deferred: number };
const statsOf = (s: CronTickStats | undefined) => s?.witnesses as WitnessStats;

const mine = async (): Promise<Witness> => {
  const list = await apiCall<WitnessList>(dev, "GET", "/v1/witnesses", { cookie });
  const w = list.items.find((x) => x.name === NAME);
  if (!w) throw new Error(`no witness ${NAME}: ${JSON.stringify(list)}`);
  return w;
};
const head = () => apiCall<{ checkpoint: string; treeSize: number }>(dev, "GET", "/v1/log/checkpoint", { cookie });
let grown = 0;
/** Appends to the log through the API (a database created is logged), and how long the answer took. */
async function grow(): Promise<number> {
  const t0 = Date.now();
  await createDatabase(dev, cookie, `db ${++grown}`);
  return Date.now() - t0;
}

/**
 * Ticks (at `at`, then a second later each time: D1's copy of the log, which the tick reads, lags the Ledger
 * by a moment) until the witness's state satisfies `pred`; the stats of every tick.
 */
async function tickUntil(pred: (w: Witness) => boolean, what: string, at = Date.now()): Promise<WitnessStats[]> {
  const stats: WitnessStats[] = [];
  for (let i = 0; i < 10; i++) {
    stats.push(statsOf(await triggerCron(dev, at + i * 1000)));
    const w = await mine();
    if (pred(w)) return stats;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(
    `timed out waiting for ${what}: ${JSON.stringify(await mine())}; requests ${JSON.stringify(witness.requests, (_k, v) => (typeof v === "bigint" ? String(v) : v))}`,
  );
}
const caughtUp = (w: Witness) => w.cosignedSize === w.headSize && w.headSize > 0;

/** The witness's line is on the newest checkpoint, which verifies with the published keys. */
async function expectCosignedHead(): Promise<{ checkpoint: string; treeSize: number }> {
  const h = await head();
  const policy = policyFromVkeys(dev.keys.checkpoint);
  if (!policy.ok) throw new Error(policy.message);
  expect(verifyCheckpoint(h.checkpoint, policy.value.checkpointKeys, origin).ok).toBe(true);
  expect(verifyCosignatures(h.checkpoint, [pinned], 1)).toMatchObject({ ok: true });
  return h;
}

const copy = (s: LogState | undefined): LogState => ({ size: s!.size, root: s!.root.slice() });

beforeAll(async () => {
  const dir = removeAtCleanup(tempDir("walwarden-e2e-witness-"));
  const persist = join(dir, "state");
  await applyMigrations(persist);
  await witness.start();
  dev = await startDev({
    persist,
    envFile: writeKeysEnvFile(dir),
    apiOnly: true,
    vars: { ALERTS_ALLOW_LOOPBACK: "true" },
  });
  const org = await bootstrapOrg(dev);
  cookie = org.cookie;
  origin = `${dev.keys.origin}/${org.org.id}`;
  witness.addLog(origin, dev.keys.checkpoint);
  const key = parseCosignerVkey(witness.vkey);
  if (!key.ok) throw new Error(key.message);
  pinned = key.value;
}, 180_000);
afterAll(async () => {
  await witness.stop();
  await dev?.stop();
});

describe("an external C2SP witness", () => {
  let first: LogState;

  it("the tick pushes add-checkpoint, the witness cosigns, and the checkpoint carries its line", async () => {
    const added = await apiCall<Witness>(dev, "PUT", path, {
      cookie,
      body: { url: `http://127.0.0.1:${witness.port}/`, vkey: witness.vkey },
    });
    expect(added).toMatchObject({ name: NAME, cosignedSize: 0, failures: 0, lastError: null });
    await tickUntil(caughtUp, "the first cosignature");
    // The first request: old 0 and no proof (the spec's), answered 200.
    expect(witness.requests[0]).toMatchObject({ old: "0", proofLines: 0, status: 200 });
    first = copy(witness.state.get(origin));
    const h = await expectCosignedHead();
    expect(first.size).toBe(BigInt(h.treeSize));

    // The log grows: the next push is from the size it cosigned, with the proof.
    await grow();
    const mark = witness.requests.length;
    await tickUntil((w) => caughtUp(w) && w.cosignedSize > h.treeSize, "the second cosignature");
    expect(witness.requests.slice(mark).map((r) => [r.old, r.status])).toEqual([[String(h.treeSize), 200]]);
    expect(witness.requests.at(-1)!.proofLines).toBeGreaterThan(0);
    const now = await expectCosignedHead();
    expect(witness.state.get(origin)?.size).toBe(BigInt(now.treeSize));
    expect(await mine()).toMatchObject({
      cosignedSize: now.treeSize,
      headSize: now.treeSize,
      waitingSince: null,
      lagSeconds: 0,
      failures: 0,
      lastError: null,
      retryAfter: null,
    });
    expect((await mine()).cosignedAt).not.toBeNull();
  });

  it("a witness restarted with an older state answers 409 with its size, and the Worker resyncs from it", async () => {
    const cosigned = (await mine()).cosignedSize;
    await witness.stop();
    witness.state.set(origin, copy(first));
    await witness.start(witness.port);
    await grow();
    const mark = witness.requests.length;
    const stats = await tickUntil((w) => caughtUp(w) && w.cosignedSize > cosigned, "the resynced cosignature");
    expect(witness.requests.slice(mark).map((r) => [r.old, r.status])).toEqual([
      [String(cosigned), 409],
      [String(first.size), 200],
    ]);
    expect(witness.requests.at(-1)!.proofLines).toBeGreaterThan(0);
    expect(stats.some((s) => s.resynced === 1 && s.cosigned === 1)).toBe(true);
    await expectCosignedHead();
  });

  it("a witness holding another history at that size answers 422 to the proof, and nothing is kept", async () => {
    const good = copy(witness.state.get(origin));
    witness.state.set(origin, { size: first.size, root: new Uint8Array(32).fill(7) });
    await grow();
    const mark = witness.requests.length;
    await tickUntil((w) => w.failures > 0, "the refused push");
    expect(witness.requests.slice(mark).map((r) => [r.old, r.status])).toEqual([
      [String(good.size), 409],
      [String(first.size), 422],
    ]);
    const w = await mine();
    expect(w.lastError).toMatch(
      /^HTTP 422 Unprocessable Entity: the witness found the consistency proof from size \d+ does not verify$/,
    );
    expect(w.cosignedSize).toBe(Number(good.size));
    expect(w.cosignedSize).toBeLessThan(w.headSize);
    expect(verifyCosignatures((await head()).checkpoint, [pinned], 1)).toMatchObject({ ok: false, code: "quorum" });
    // Its real state back: after the backoff (a minute after one failure) the next tick catches up.
    witness.state.set(origin, good);
    await tickUntil(caughtUp, "the cosignature after the 422", Date.now() + 2 * MIN);
    expect(await mine()).toMatchObject({ failures: 0, lastError: null });
  });

  it("a witness that is down or hangs blocks no append and no backup; its lag grows; once back, the next tick catches up", async () => {
    await witness.stop();
    const mark = witness.requests.length;
    // Backups and logging go on: a database, a backup queued, claimed and completed (each appended and signed).
    const runner = await createRunnerToken(dev, cookie, "runner");
    const db = await createDatabase(dev, cookie, "shop");
    const { jobId } = await requestBackup(dev, cookie, db.id);
    const { job } = await claimJob(dev, runner.token, { version: "0.1.0", databases: [db.id] });
    if (job?.kind !== "backup") throw new Error(`expected a backup job, got ${JSON.stringify(job)}`);
    const done = await completeJob(dev, runner.token, jobId, {
      leaseId: job.leaseId,
      artifactSha256: SYNTHETIC_ARTIFACT_SHA256,
      result: syntheticBackupResult(runner.id),
    });
    expect(done.checkpoint).toContain(origin);
    // The tick finds the port closed: recorded, nothing kept, and nothing else of the tick held up.
    const down = (await tickUntil((w) => w.failures > 0, "the failed push", Date.now() + 2 * MIN)).at(-1);
    expect(down).toMatchObject({ due: 1, failed: 1, cosigned: 0 });
    const w1 = await mine();
    expect(w1.lastError).toMatch(/^the request failed \(\w+\)$/);
    expect(w1.lastError).not.toContain(String(witness.port));
    expect(w1.cosignedSize).toBeLessThan(w1.headSize);
    expect(w1.waitingSince).not.toBeNull();
    expect(w1.retryAfter).not.toBeNull();
    // The delay is reported, and grows.
    await new Promise((r) => setTimeout(r, 2200));
    const w2 = await mine();
    expect(w2.lagSeconds).toBeGreaterThanOrEqual(w1.lagSeconds + 2);
    expect(w2.cosignedAt).not.toBeNull();
    expect(witness.requests.length).toBe(mark);

    // A witness that takes the connection and never answers: the tick waits its 5 s timeout, and an append
    // made meanwhile is answered at once (it never waits for a witness).
    witness.hang = true;
    await witness.start(witness.port);
    const tick = triggerCron(dev, Date.now() + 30 * MIN);
    const t0 = Date.now();
    while (witness.hangingCount === 0) {
      if (Date.now() - t0 > 60_000) throw new Error("the tick never reached the hanging witness");
      await new Promise((r) => setTimeout(r, 50));
    }
    const appendMs = await grow();
    const hung = statsOf(await tick);
    expect(appendMs).toBeLessThan(4000);
    expect(hung).toMatchObject({ due: 1, failed: 1 });
    expect((await mine()).lastError).toBe("no answer within 5 s");

    // Back: the next tick past its backoff pushes from the size it cosigned and catches up.
    witness.hang = false;
    await witness.stop();
    await witness.start(witness.port);
    await tickUntil(caughtUp, "catching up", Date.now() + 3 * 60 * MIN);
    expect(await mine()).toMatchObject({ failures: 0, lastError: null, lagSeconds: 0, waitingSince: null });
    expect(witness.requests.at(-1)).toMatchObject({ status: 200, old: String(w1.cosignedSize) });
    await expectCosignedHead();
  });
});
