import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import type { DrillPredicate } from "../drill/predicate.js";
import type { NamedSigner } from "../dsse/envelope.js";
import { sha256 } from "../hash/sha256.js";
import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { formatVkey } from "../note/index.js";
import { drillConcludedEntry, fixtureDrillReceipt } from "../test-support/drill.js";
import {
  buildFixtureLog,
  checkpointAt,
  fixtureBundle,
  fixtureLogOf,
  fixturePolicy,
  rezip,
  ORIGIN,
  unzipBundle,
} from "../test-support/fixture-log.js";
import { MANIFEST_SIGNER, RUNNER_SIGNER, testSigner } from "../test-support/keys.js";
import { BundlePaths } from "./layout.js";
import { policyFromVkeys, runnerKeysFromVkeys } from "./policy.js";
import type { Report } from "./report.js";
import { verifyBundle } from "./verify-bundle.js";
import { writeBundle } from "./write-bundle.js";

// A log with drills: passed ones, failed ones with a receipt, and an attempt without one that was retried.
const LOG = buildFixtureLog(90, 5, { drills: true });
const policy = fixturePolicy();
const verify = (zip: Uint8Array, p = policy) => verifyBundle(zip, p);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const RUNNER_KEY = { name: RUNNER_SIGNER.name, publicKey: RUNNER_SIGNER.publicKey };

function expectRejected(r: Report, check: string | RegExp, detail?: RegExp) {
  expect(r.verdict).toBe("not-verified");
  expect(r.failed).toMatch(check);
  if (detail) expect(r.checks.find((c) => c.id === r.failed)?.detail).toMatch(detail);
}

type Concluded = LogEntryOf<"drill.completed"> | LogEntryOf<"drill.failed">;
const receipted = (entries: LogEntry[]) =>
  entries.filter(
    (e): e is Concluded => (e.type === "drill.completed" || e.type === "drill.failed") && !!e.data.receiptSha256,
  );

describe("verifyBundle with restore drills", () => {
  test("a bundle with drills verifies: drills.jsonl is each receipted entry's receipt, in log order", async () => {
    const zip = fixtureBundle(LOG, 0, 90);
    const r = await verify(zip);
    expect(r.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(r.verdict).toBe("verified");
    const ids = r.checks.map((c) => c.id);
    expect(ids.slice(ids.indexOf("manifests"))).toEqual(["manifests", "drills", "restores", "retention"]);
    const drills = receipted(LOG.entries);
    expect(new Set(drills.map((e) => e.type))).toEqual(new Set(["drill.completed", "drill.failed"]));
    expect(LOG.entries.some((e) => e.type === "drill.failed" && e.data.receiptSha256 === null)).toBe(true);
    expect(r.checks.find((c) => c.id === "drills")?.detail).toBe(`${drills.length} drill receipt(s) verified`);
    const lines = text(unzipBundle(zip).get(BundlePaths.drills)!).split("\n").slice(0, -1);
    expect(lines.map((l) => toHex(sha256(utf8(l))))).toEqual(drills.map((e) => e.data.receiptSha256));
  });

  test("a window whose drill's backup lies before it verifies (its digest is then not compared), and one without receipted drills has no drills.jsonl", async () => {
    // Entry 28 is the backup drilled at 30: the window [29, 40) starts after it.
    expect(LOG.entries[28]!.type).toBe("backup.completed");
    expect(LOG.entries[30]!.type).toBe("drill.completed");
    expect((await verify(fixtureBundle(LOG, 29, 40))).verdict).toBe("verified");
    const none = fixtureBundle(LOG, 8, 28);
    expect(receipted(LOG.entries.slice(8, 28))).toEqual([]);
    expect(unzipBundle(none).has(BundlePaths.drills)).toBe(false);
    expect((await verify(none)).verdict).toBe("verified");
  });

  test("fast-check: any window of any random log with drills verifies", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 80 }), fc.integer(), fc.nat(), fc.nat(), async (size, seed, x, y) => {
        const f = buildFixtureLog(size, seed, { drills: true });
        const [a, b] = [x % (size + 1), y % (size + 1)].sort((p, q) => p - q) as [number, number];
        expect((await verify(fixtureBundle(f, a, b))).verdict).toBe("verified");
      }),
      { numRuns: 15 },
    );
  });
});

describe("verifyBundle rejects drill receipts that are not what the log says", () => {
  const zip = fixtureBundle(LOG, 40, 62);
  const original = unzipBundle(zip);
  const lines = text(original.get(BundlePaths.drills)!).split("\n").slice(0, -1);
  const withLines = (l: string[]) => new Map(original).set(BundlePaths.drills, utf8(l.map((x) => `${x}\n`).join("")));

  test("a missing, extra, reordered, duplicated or foreign receipt line is rejected, even with the index re-signed", async () => {
    expect(lines.length).toBeGreaterThan(3);
    const foreign = [...LOG.receipts.values()].map(text).find((x) => !lines.includes(x))!;
    const edits = [
      lines.slice(1),
      lines.slice(0, -1),
      [...lines, lines[0]!],
      [lines[1]!, lines[0]!, ...lines.slice(2)],
      [foreign, ...lines.slice(1)],
      [`${lines[0]!} `, ...lines.slice(1)],
    ];
    for (const bad of edits) expectRejected(await verify(rezip(withLines(bad), { resignIndex: true })), "drills");
    expectRejected(
      await verify(rezip(withLines([foreign, ...lines.slice(1)]), { resignIndex: true })),
      "drills",
      /receipt 1 \(entry \d+, dr_\d+\) is not the receipt the log committed to/,
    );
    expectRejected(await verify(rezip(withLines(lines.slice(1)))), "index.files");
  });

  test("fast-check: every single-byte change to drills.jsonl is rejected, index kept or re-signed", async () => {
    const bytes = original.get(BundlePaths.drills)!;
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), async (pos, mask, resign) => {
        const bad = bytes.slice();
        bad[pos % bad.length]! ^= mask;
        const r = await verify(rezip(new Map(original).set(BundlePaths.drills, bad), { resignIndex: resign }));
        expectRejected(r, resign ? "drills" : "index.files");
      }),
      { numRuns: 40 },
    );
  });

  test("drills.jsonl missing when the window has receipted drills, or present when it has none, is rejected", async () => {
    const without = new Map(original);
    without.delete(BundlePaths.drills);
    expectRejected(await verify(rezip(without, { resignIndex: true })), "drills", /missing/);
    const empty = new Map(original).set(BundlePaths.drills, new Uint8Array());
    expectRejected(await verify(rezip(empty, { resignIndex: true })), "drills", /0 receipts for/);
    const before = unzipBundle(fixtureBundle(LOG, 8, 28)).set(BundlePaths.drills, utf8(`${lines[0]!}\n`));
    expectRejected(await verify(rezip(before, { resignIndex: true })), "drills", /present but the window has no/);
  });

  /**
   * The bundle of a log whose drill entry at `seq` (a passed drill of the backup just before it) the
   * Worker logged as `entry` gives, with the receipt `receipt` builds: what an honest checkpoint key
   * vouches for when the Worker accepted a receipt it should not have.
   */
  function relogged(
    seq: number,
    receipt: (
      backup: LogEntryOf<"backup.completed">,
      drill: LogEntryOf<"drill.completed">,
    ) => ReturnType<typeof fixtureDrillReceipt>,
    entry: (e: Concluded) => LogEntry = (e) => e,
  ): Uint8Array {
    const drill = LOG.entries[seq] as LogEntryOf<"drill.completed">;
    expect(drill.type).toBe("drill.completed");
    const backup = LOG.entries
      .slice(0, seq)
      .reverse()
      .find((e): e is LogEntryOf<"backup.completed"> => e.type === "backup.completed")!;
    expect(backup.data.backupId).toBe(drill.data.backupId);
    const r = receipt(backup, drill);
    const receipts = new Map(LOG.receipts).set(r.sha256, r.bytes);
    const entries = LOG.entries.map((e) => (e.seq === seq ? entry(drillConcludedEntry(seq, e.at, r)) : e));
    return fixtureBundle(fixtureLogOf(entries, LOG.manifests, receipts), 40, 62);
  }
  // Entry 41 is a passed drill of the backup at 36 (outside [40, 62)); 61 one of the backup at 58 (inside).
  const SEQ = 61;
  const same = (drill: LogEntryOf<"drill.completed">, over: Partial<DrillPredicate> = {}) => ({
    drillId: drill.data.drillId,
    jobId: drill.data.jobId,
    rto: { ms: 6730, targetMs: 900_000 },
    ...over,
  });
  const signedBy = (signer: NamedSigner, over: Partial<DrillPredicate> = {}) =>
    relogged(SEQ, (b, d) => fixtureDrillReceipt(b, same(d, over), signer));

  test("the relogged baseline verifies (so each failure below is the one change it makes)", async () => {
    expect(LOG.entries[SEQ]!.type).toBe("drill.completed");
    expect(LOG.entries[58]!.type).toBe("backup.completed");
    expect((await verify(signedBy(RUNNER_SIGNER))).verdict).toBe("verified");
  });

  test("a receipt signed by another key than the entry's runnerVkey is rejected", async () => {
    const thief = testSigner(RUNNER_SIGNER.name, 9);
    const zip = relogged(
      SEQ,
      (b, d) => fixtureDrillReceipt(b, same(d), thief),
      (e) =>
        ({
          ...e,
          data: { ...e.data, runnerVkey: formatVkey(RUNNER_SIGNER.name, RUNNER_SIGNER.publicKey) },
        }) as LogEntry,
    );
    expectRejected(await verify(zip), "drills", /unknown-key/);
  });

  test("a runner key not named <deployment>/runner/<the entry's runnerId> is rejected", async () => {
    expectRejected(
      await verify(signedBy(testSigner("test.walwarden.dev/runner/rn_02", 5))),
      "drills",
      /the runner key is named test\.walwarden\.dev\/runner\/rn_02, not test\.walwarden\.dev\/runner\/rn_01/,
    );
    expectRejected(await verify(signedBy(testSigner("other.example/runner/rn_01", 5))), "drills", /is named other/);
    expectRejected(await verify(signedBy(testSigner("test.walwarden.dev/manifest", 5))), "drills", /is named/);
  });

  test("an outcome that disagrees with the entry's type is rejected", async () => {
    const asFailed = relogged(
      SEQ,
      (b, d) => fixtureDrillReceipt(b, same(d)),
      (e) =>
        ({
          ...e,
          type: "drill.failed",
          data: {
            jobId: e.data.jobId,
            drillId: e.data.drillId,
            databaseId: e.data.databaseId,
            backupId: e.data.backupId,
            runnerId: "rn_01",
            attempt: 1,
            reason: "it failed, says the log",
            willRetry: false,
            receiptSha256: e.data.receiptSha256,
            runnerVkey: e.data.runnerVkey,
          },
        }) as LogEntry,
    );
    expectRejected(await verify(asFailed), "drills", /outcome is passed but the entry is drill\.failed/);
    const failedReceipt = (b: LogEntryOf<"backup.completed">, d: LogEntryOf<"drill.completed">) =>
      fixtureDrillReceipt(b, same(d, { outcome: "failed", failure: { phase: "target", reason: "initdb failed" } }));
    const asCompleted = relogged(
      SEQ,
      failedReceipt,
      (e) =>
        ({
          ...e,
          type: "drill.completed",
          data: {
            jobId: e.data.jobId,
            drillId: e.data.drillId,
            databaseId: e.data.databaseId,
            backupId: e.data.backupId,
            runnerId: "rn_01",
            receiptSha256: e.data.receiptSha256,
            runnerVkey: e.data.runnerVkey,
            rtoMs: 6730,
          },
        }) as LogEntry,
    );
    expectRejected(await verify(asCompleted), "drills", /outcome is failed but the entry is drill\.completed/);
    // Logged as it is, the failed drill's receipt verifies: authentic evidence of a failed drill.
    expect((await verify(relogged(SEQ, failedReceipt))).verdict).toBe("verified");
  });

  test("an rtoMs that is not the receipt's RTO is rejected", async () => {
    const zip = relogged(
      SEQ,
      (b, d) => fixtureDrillReceipt(b, same(d)),
      (e) => ({ ...e, data: { ...e.data, rtoMs: 6731 } }) as LogEntry,
    );
    expectRejected(await verify(zip), "drills", /the receipt's RTO is 6730 ms but the entry's rtoMs is 6731/);
  });

  test("a receipt about another artifact or manifest than the backup's entry is rejected", async () => {
    const other = "9".repeat(64);
    const otherArtifact = relogged(SEQ, (b, d) =>
      fixtureDrillReceipt(b, same(d), RUNNER_SIGNER, { uri: b.data.artifact.uri, sha256: other }),
    );
    expectRejected(await verify(otherArtifact), "drills", /subject-mismatch: the receipt's artifact SHA-256 is 9+/);
    const otherManifest = relogged(SEQ, (b, d) => fixtureDrillReceipt(b, same(d, { manifestSha256: other })));
    expectRejected(await verify(otherManifest), "drills", /subject-mismatch: the receipt's manifest SHA-256/);
  });

  test("a receipt for another drill, backup, database or org is rejected", async () => {
    const { jobId, drillId, backupId, databaseId } = (LOG.entries[SEQ] as LogEntryOf<"drill.completed">).data;
    const ref = { jobId, drillId, backupId, databaseId };
    for (const [over, name] of [
      [{ drillId: "dr_other" }, "drill"],
      [{ backupId: "bk_other" }, "backup"],
      [{ databaseId: "db_other" }, "database"],
      [{ orgId: "org_other" }, "org"],
    ] as const)
      expectRejected(
        await verify(
          relogged(
            SEQ,
            (b, d) => fixtureDrillReceipt(b, { ...same(d), ...over }),
            // The Worker logged the drill's own ids, whatever the receipt says.
            (e) => ({ ...e, data: { ...e.data, ...ref } }) as LogEntry,
          ),
        ),
        "drills",
        new RegExp(`subject-mismatch: the receipt's ${name} is`),
      );
  });

  test("a receipted drill.failed that names no runner is rejected", async () => {
    const zip = relogged(
      SEQ,
      (b, d) => fixtureDrillReceipt(b, same(d, { outcome: "failed", failure: { phase: "restore", reason: "x" } })),
      (e) => ({ ...e, data: { ...e.data, runnerId: null } }) as LogEntry,
    );
    expectRejected(await verify(zip), "drills", /names a receipt but no runner/);
  });

  test("pinned runner keys: the runner's key passes; any other set rejects every receipt it does not hold", async () => {
    expect((await verify(zip, { ...policy, runnerKeys: [RUNNER_KEY] })).verdict).toBe("verified");
    const other = testSigner(RUNNER_SIGNER.name, 8);
    expectRejected(
      await verify(zip, { ...policy, runnerKeys: [{ name: other.name, publicKey: other.publicKey }] }),
      "drills",
      /is not one of the pinned runner keys/,
    );
    // A pinned key that is not in the log's word changes nothing for a bundle without receipts.
    expect(
      (
        await verify(fixtureBundle(LOG, 8, 28), {
          ...policy,
          runnerKeys: [{ name: other.name, publicKey: other.publicKey }],
        })
      ).verdict,
    ).toBe("verified");
  });

  test("runner keys are pinned apart: only runner key names parse as runner keys", () => {
    const runnerVkey = formatVkey(RUNNER_SIGNER.name, RUNNER_SIGNER.publicKey);
    expect(runnerKeysFromVkeys([runnerVkey])).toEqual({ ok: true, value: [RUNNER_KEY] });
    const manifestVkey = formatVkey("test.walwarden.dev/manifest", RUNNER_SIGNER.publicKey);
    expect(runnerKeysFromVkeys([manifestVkey])).toMatchObject({ ok: false, code: "bad-key" });
    expect(runnerKeysFromVkeys(["garbage"])).toMatchObject({ ok: false, code: "bad-key" });
    const asRole = policyFromVkeys([runnerVkey]);
    expect(!asRole.ok && asRole.message).toMatch(/has no role.*a runner's key is pinned as a runner key/);
  });
});

describe("writeBundle with drill receipts", () => {
  test("receipts are matched by SHA-256: their order and extra ones do not change the bytes; a missing one is bad input", () => {
    const window = LOG.entries.slice(40, 62);
    const needed = receipted(window).map((e) => LOG.receipts.get(e.data.receiptSha256!)!);
    const write = (drillReceipts?: Uint8Array[]) =>
      writeBundle({
        orgId: "org_acme",
        origin: ORIGIN,
        period: { from: window[0]!.at, to: window.at(-1)!.at },
        createdAt: "2026-11-24T12:00:00.000Z",
        start: 40,
        entries: LOG.log.entries.slice(40, 62),
        frontier: LOG.log.frontier(40),
        headCheckpoint: checkpointAt(LOG.log, 90),
        headSize: 90,
        consistency: LOG.log.consistencyProof(62, 90),
        manifests: LOG.manifests,
        ...(drillReceipts ? { drillReceipts } : {}),
        reportHtml: "<p>report</p>",
        indexSigner: MANIFEST_SIGNER,
      });
    const inOrder = write(needed);
    expect(inOrder.ok).toBe(true);
    expect(unzipBundle(inOrder.ok ? inOrder.value : new Uint8Array()).get(BundlePaths.drills)).toEqual(
      utf8(needed.map((r) => `${text(r)}\n`).join("")),
    );
    expect(write([...LOG.receipts.values()].reverse())).toEqual(inOrder);
    const missing = write(needed.slice(1));
    expect(missing).toMatchObject({ ok: false, code: "bad-input" });
    expect(!missing.ok && missing.message).toMatch(/^no receipt for drill dr_\d+ \(entry \d+, [0-9a-f]{64}\)$/);
    expect(write()).toMatchObject({ ok: false, code: "bad-input" });
  });
});
