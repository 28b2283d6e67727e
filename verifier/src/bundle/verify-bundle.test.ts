import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { utf8 } from "../bytes/utf8.js";
import { formatVkey } from "../note/index.js";
import {
  buildFixtureLog,
  checkpointAt,
  fixtureBundle,
  fixturePolicy,
  rezip,
  unzipBundle,
} from "../test-support/fixture-log.js";
import { CHECKPOINT_SIGNER, MANIFEST_SIGNER, testSigner } from "../test-support/keys.js";
import { BundlePaths } from "./layout.js";
import { policyFromVkeys } from "./policy.js";
import type { Report } from "./report.js";
import { verifyBundle } from "./verify-bundle.js";

const LOG = buildFixtureLog(300, 7);
const policy = fixturePolicy();
const verify = (zip: Uint8Array, p = policy) => verifyBundle(zip, p);
const failedAt = (r: Report) => r.failed;

function expectRejected(r: Report, check?: string | RegExp) {
  expect(r.verdict).toBe("not-verified");
  if (check) expect(r.failed).toMatch(check);
}

/** Replace entry lines of a bundle, returning the tampered files. */
function withEntries(zip: Uint8Array, edit: (lines: string[]) => string[]) {
  const files = unzipBundle(zip);
  const lines = new TextDecoder().decode(files.get(BundlePaths.entries)!).split("\n").slice(0, -1);
  files.set(
    BundlePaths.entries,
    utf8(
      edit(lines)
        .map((l) => `${l}\n`)
        .join(""),
    ),
  );
  return files;
}

describe("verifyBundle accepts untouched bundles", () => {
  test.each([
    [0, 300],
    [0, 0],
    [37, 211],
    [128, 256],
    [299, 300],
    [150, 150],
    [1, 2],
  ])("window [%i, %i) of a 300-entry log", async (start, end) => {
    const r = await verify(fixtureBundle(LOG, start, end));
    expect(r.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(r.verdict).toBe("verified");
    expect(r.checks.map((c) => c.id)).toEqual([
      "bundle.zip",
      "index.signature",
      "index.format",
      "index.files",
      "log.checkpoint",
      "log.origin",
      "log.window",
      "log.frontier",
      "log.entries.count",
      "log.entries.format",
      "log.root",
      "log.checkpoints",
      "manifests",
      "drills",
      "restores",
      "retention",
    ]);
    // A log from before drills: no drills.jsonl, and the drills check has nothing to check.
    expect(unzipBundle(fixtureBundle(LOG, start, end)).has(BundlePaths.drills)).toBe(false);
    expect(r.checks.find((c) => c.id === "drills")?.detail).toBe("no receipted drill in the window");
  });

  test("bundles are deterministic: same input, same bytes", () => {
    expect(fixtureBundle(LOG, 10, 90)).toEqual(fixtureBundle(LOG, 10, 90));
  });

  test("fast-check: any window of any random log verifies", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 120 }), fc.integer(), fc.nat(), fc.nat(), async (size, seed, x, y) => {
        const f = buildFixtureLog(size, seed);
        const [a, b] = [x % (size + 1), y % (size + 1)].sort((p, q) => p - q) as [number, number];
        const r = await verify(fixtureBundle(f, a, b));
        expect(r.verdict).toBe("verified");
      }),
      { numRuns: 25 },
    );
  });
});

describe("verifyBundle rejects tampering", () => {
  // A window with a few manifests and restores: each pure-JS Ed25519 check costs ~1.4 ms, so keep it small.
  const zip = fixtureBundle(LOG, 40, 110);
  const original = unzipBundle(zip);

  test("fast-check: every single-byte change to any file is rejected, index kept or re-signed by a thief of the manifest key", async () => {
    const paths = [...original.keys()];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        async (path, pos, mask, resign) => {
          const files = new Map(original);
          const bytes = files.get(path)!.slice();
          bytes[pos % bytes.length]! ^= mask;
          files.set(path, bytes);
          // A thief of the manifest key can re-sign the index but not the report or the log: report.html
          // is only a summary and the index signature is theirs to make, so exclude those two with resign.
          if (resign && (path === BundlePaths.report || path === BundlePaths.index)) return;
          const r = await verify(rezip(files, { resignIndex: resign }));
          expectRejected(r);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("fast-check: a single-byte change to the zip container is rejected or leaves every file identical", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (pos, mask) => {
        const bad = zip.slice();
        bad[pos % bad.length]! ^= mask;
        const r = await verify(bad);
        if (r.verdict === "verified") {
          const files = unzipBundle(bad);
          expect([...files.keys()].sort()).toEqual([...original.keys()].sort());
          for (const [p, b] of files) expect(b).toEqual(original.get(p));
        }
      }),
      { numRuns: 200 },
    );
  });

  test.each([false, true])(
    "reordered, dropped, duplicated, truncated or extra entries are rejected (index re-signed: %s)",
    async (resign) => {
      const edits: [string, (l: string[]) => string[]][] = [
        ["swap two", (l) => [l[1]!, l[0]!, ...l.slice(2)]],
        ["drop middle", (l) => [...l.slice(0, 50), ...l.slice(51)]],
        ["drop last", (l) => l.slice(0, -1)],
        ["drop first", (l) => l.slice(1)],
        ["duplicate", (l) => [...l.slice(0, 10), l[10]!, ...l.slice(10)]],
        ["reverse", (l) => [...l].reverse()],
      ];
      for (const [, edit] of edits)
        expectRejected(
          await verify(rezip(withEntries(zip, edit), { resignIndex: resign })),
          resign ? /^log\./ : "index.files",
        );
    },
  );

  test("an altered entry that is still well-formed and canonical is caught by the Merkle root", async () => {
    const files = withEntries(zip, (l) =>
      l.map((x) => x.replace('"reason":"pg_dump: connection lost"', '"reason":"pg_dump: connection lust"')),
    );
    expect(new TextDecoder().decode(files.get(BundlePaths.entries)!)).toContain("lust");
    expectRejected(await verify(rezip(files, { resignIndex: true })), "log.root");
  });

  test("an added or a missing file is rejected", async () => {
    const added = new Map(original).set("notes.txt", utf8("trust me"));
    expectRejected(await verify(rezip(added)), "index.files");
    const missing = new Map(original);
    missing.delete(BundlePaths.report);
    expectRejected(await verify(rezip(missing)), "index.files");
    for (const path of [BundlePaths.manifests, BundlePaths.restores, BundlePaths.entries]) {
      const without = new Map(original);
      without.delete(path);
      expectRejected(await verify(rezip(without, { resignIndex: true })), /^(manifests|restores|log\.)/);
    }
  });

  /** The lines of a .jsonl file of the original bundle. */
  const linesOf = (path: string) => new TextDecoder().decode(original.get(path)!).split("\n").slice(0, -1);
  const withLines = (path: string, lines: string[]) =>
    new Map(original).set(path, utf8(lines.map((l) => `${l}\n`).join("")));

  test("a missing, extra, swapped or foreign manifest is rejected even when validly signed", async () => {
    const m = linesOf(BundlePaths.manifests);
    expect(m.length).toBeGreaterThan(2);
    const foreign = [...LOG.manifests.values()].map((b) => new TextDecoder().decode(b)).find((x) => !m.includes(x))!;
    for (const bad of [m.slice(1), [...m, m[0]!], [m[1]!, m[0]!, ...m.slice(2)], [foreign, ...m.slice(1)]])
      expectRejected(await verify(rezip(withLines(BundlePaths.manifests, bad), { resignIndex: true })), "manifests");
  });

  test("a forged, dropped or extra restore history is rejected", async () => {
    const r = linesOf(BundlePaths.restores);
    expect(r.length).toBeGreaterThan(0);
    const h = JSON.parse(r[0]!);
    h.transitions = h.transitions.slice(0, -1);
    for (const bad of [[JSON.stringify(h), ...r.slice(1)], r.slice(1), [...r, r[0]!]])
      expectRejected(await verify(rezip(withLines(BundlePaths.restores, bad), { resignIndex: true })), "restores");
  });

  test("swapped keys are rejected: unpinned checkpoint key, unpinned manifest key, roles crossed", async () => {
    const rogueCp = testSigner(CHECKPOINT_SIGNER.name, 9);
    const rogueMf = testSigner(MANIFEST_SIGNER.name, 9);
    const p1 = policyFromVkeys([
      formatVkey(rogueCp.name, rogueCp.publicKey),
      formatVkey(MANIFEST_SIGNER.name, MANIFEST_SIGNER.publicKey),
    ]);
    const p2 = policyFromVkeys([
      formatVkey(CHECKPOINT_SIGNER.name, CHECKPOINT_SIGNER.publicKey),
      formatVkey(rogueMf.name, rogueMf.publicKey),
    ]);
    expectRejected(await verify(zip, p1.ok ? p1.value : policy), "log.checkpoint");
    expectRejected(await verify(zip, p2.ok ? p2.value : policy), "index.signature");
    expectRejected(await verify(zip, { ...policy, checkpointKeys: [] }), "log.checkpoint");
    expect(policyFromVkeys([formatVkey("walwarden.dev/other", CHECKPOINT_SIGNER.publicKey)])).toMatchObject({
      ok: false,
      code: "bad-key",
    });
  });

  test("a rolled-back head checkpoint is rejected, inside the bundle and against a pinned newer one", async () => {
    const files = new Map(original).set(BundlePaths.checkpoint, utf8(checkpointAt(LOG.log, 270)));
    expectRejected(await verify(rezip(files, { resignIndex: true })), /^log\./);
    const longer = buildFixtureLog(320, 7); // the same log, 20 entries later
    expect(longer.log.root(300)).toEqual(LOG.log.root(300));
    const r = await verify(zip, { ...policy, previousCheckpoints: [checkpointAt(longer.log, 310)] });
    expectRejected(r, "policy.previous.310");
  });

  test("a forked checkpoint signed by the real key is rejected: head, bundled, or pinned", async () => {
    const other = buildFixtureLog(300, 8);
    expectRejected(
      await verify(
        rezip(new Map(original).set(BundlePaths.checkpoint, utf8(checkpointAt(other.log, 300))), { resignIndex: true }),
      ),
      "log.root",
    );
    const bundled = [...original.keys()].find((p) => p.startsWith(BundlePaths.checkpointsDir))!;
    const size = Number(bundled.slice(BundlePaths.checkpointsDir.length, -4));
    expectRejected(
      await verify(rezip(new Map(original).set(bundled, utf8(checkpointAt(other.log, size))), { resignIndex: true })),
      "log.checkpoints",
    );
    expectRejected(
      await verify(zip, { ...policy, previousCheckpoints: [checkpointAt(other.log, 100)] }),
      "policy.previous.100",
    );
    expectRejected(
      await verify(zip, { ...policy, previousCheckpoints: [checkpointAt(other.log, 300)] }),
      "policy.previous.300",
    );
    const ok = await verify(zip, {
      ...policy,
      previousCheckpoints: [checkpointAt(LOG.log, 100), checkpointAt(LOG.log, 300), checkpointAt(LOG.log, 5)],
    });
    expect(ok.verdict).toBe("verified");
    expect(ok.checks.find((c) => c.id === "policy.previous.5")?.status).toBe("skip");
  });

  test("a checkpoint for another origin is rejected", async () => {
    expectRejected(await verify(zip, { ...policy, origin: "test.walwarden.dev/log/org_other" }), "log.checkpoint");
  });

  test("a frontier or consistency proof that lies is rejected", async () => {
    const f = JSON.parse(new TextDecoder().decode(original.get(BundlePaths.frontier)!));
    f.hashes = [...f.hashes].reverse();
    expectRejected(
      await verify(rezip(new Map(original).set(BundlePaths.frontier, utf8(JSON.stringify(f))), { resignIndex: true })),
      "log.root",
    );
    const c = JSON.parse(new TextDecoder().decode(original.get(BundlePaths.consistency)!));
    c.hashes = c.hashes.slice(1);
    expectRejected(
      await verify(
        rezip(new Map(original).set(BundlePaths.consistency, utf8(JSON.stringify(c))), { resignIndex: true }),
      ),
      "log.root",
    );
  });

  test("not a zip, or garbage, gives a failed bundle.zip check, never an exception", async () => {
    expect(failedAt(await verify(utf8("hello")))).toBe("bundle.zip");
    expect(failedAt(await verify(new Uint8Array()))).toBe("bundle.zip");
  });
});
