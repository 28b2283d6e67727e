import { afterAll, describe, expect, test } from "vitest";
import { utf8 } from "../src/bytes/utf8.js";
import { canonicalBytes } from "../src/jcs/canonicalize.js";
import { BundlePaths } from "../src/bundle/layout.js";
import { readBundle } from "../src/bundle/read-bundle.js";
import type { Report } from "../src/bundle/report.js";
import { verifyBundle, verifyReadBundle } from "../src/bundle/verify-bundle.js";
import { buildFixtureLog, fixtureBundle, fixturePolicy, rezip, unzipBundle } from "../src/test-support/fixture-log.js";
// The Node adapter spawns worker threads from compiled JS, so it is tested through the build.
import { nativeEd25519Verify, nativeSha256, parallelBatchChecker } from "../dist/node/index.js";

// verifyBundle streams log/entries.jsonl and manifests.jsonl from the zip and checks them in batches (4,096
// entries, 512 manifests), on the calling thread or on worker threads. Whichever way, a tampered bundle must
// fail the same check with the same detail as reading it whole (verifyReadBundle on readBundle's files), and
// a window spanning several batches must be checked across their boundaries as one file.
const LOG = buildFixtureLog(4400, 23);
const START = 90;
const END = 4300;
const ZIP = fixtureBundle(LOG, START, END);
const policy = fixturePolicy();
const enc = new TextEncoder();
// One set of worker threads for the file, as the CLI keeps one for a bundle.
const batches = parallelBatchChecker(2);
afterAll(() => batches.close());
const dec = new TextDecoder();

/**
 * The report of each path: streamed on this thread, streamed over worker threads, read whole first (the
 * native primitives throughout, for speed: the portable ones run the same checks in the other bundle tests).
 */
async function reports(zip: Uint8Array): Promise<Report[]> {
  const native = { sha256: nativeSha256, ed25519: nativeEd25519Verify };
  return [
    await verifyBundle(zip, policy, native),
    await verifyBundle(zip, policy, { ...native, batches }),
    await verifyReadBundle(readBundle(zip), policy, native),
  ];
}

/** All paths agree, fail `check`, and its detail matches `detail`. */
async function expectRefused(zip: Uint8Array, check: string, detail: RegExp) {
  const [streamed, parallel, whole] = await reports(zip);
  expect(parallel).toEqual(streamed);
  expect(whole).toEqual(streamed);
  expect(streamed!.verdict).toBe("not-verified");
  expect(streamed!.failed).toBe(check);
  expect(streamed!.checks.find((c) => c.id === check)?.detail).toMatch(detail);
}

const files = unzipBundle(ZIP);
const lines = (path: string) => dec.decode(files.get(path)!).split("\n").slice(0, -1);
const withLines = (path: string, edit: (ls: string[]) => void, resignIndex = true) => {
  const ls = lines(path);
  edit(ls);
  const f = new Map(files);
  f.set(path, enc.encode(ls.map((l) => `${l}\n`).join("")));
  return rezip(f, { resignIndex });
};
/** Position in the window of the entry with seq `seq`. */
const at = (seq: number) => seq - START;

describe("the streamed and parallel bundle checks keep the verdicts of reading the bundle whole", () => {
  test("an untouched bundle over several batches verifies the same way on every path", async () => {
    const [streamed, parallel, whole] = await reports(ZIP);
    expect(streamed!.verdict).toBe("verified");
    expect(parallel).toEqual(streamed);
    expect(whole).toEqual(streamed);
    expect(lines(BundlePaths.manifests).length).toBeGreaterThan(512);
  }, 180_000);

  test("a flipped byte in an entry: index.files, or with the index re-signed, the entries' checks", async () => {
    const f = new Map(files);
    const b = files.get(BundlePaths.entries)!.slice();
    const i = Buffer.from(b).lastIndexOf('"seq":'); // the last entry's seq: 4299 becomes 5299
    b[i + 6] = b[i + 6]! ^ 0x01;
    f.set(BundlePaths.entries, b);
    await expectRefused(rezip(f), "index.files", /log\/entries\.jsonl was changed/);
    await expectRefused(
      rezip(f, { resignIndex: true }),
      "log.entries.format",
      /^bad-entry: entry at position 4299 has seq 5299 \(dropped, duplicated or reordered entries\)$/,
    );
  }, 180_000);

  test("an altered entry that stays canonical and well-formed: the Merkle root", async () => {
    const zip = withLines(BundlePaths.entries, (ls) => {
      const e = JSON.parse(ls[at(4100)]!);
      e.actor = "system:forged";
      ls[at(4100)] = dec.decode(canonicalBytes(e));
    });
    await expectRefused(zip, "log.root", /do not reproduce the signed tree/);
  }, 180_000);

  test("a non-canonical entry, in the first batch, at a batch's start and in the last", async () => {
    for (const seq of [START, 4096, END - 1]) {
      const zip = withLines(BundlePaths.entries, (ls) => {
        ls[at(seq)] = ls[at(seq)]!.replace('{"', '{ "');
      });
      await expectRefused(
        zip,
        "log.entries.format",
        new RegExp(`^bad-entry: entry ${seq} is not canonical JSON \\(not-canonical\\)`),
      );
    }
  }, 180_000);

  test("an entry timestamped before the one ahead of it, across a batch boundary", async () => {
    const zip = withLines(BundlePaths.entries, (ls) => {
      const e = JSON.parse(ls[at(4096)]!);
      e.at = "2020-01-01T00:00:00.000Z";
      ls[at(4096)] = dec.decode(canonicalBytes(e));
    });
    await expectRefused(zip, "log.entries.format", /^bad-entry: entry 4096 is timestamped before entry 4095$/);
  }, 180_000);

  test("a dropped or duplicated entry, and bytes that are not UTF-8 after an earlier bad entry", async () => {
    await expectRefused(
      withLines(BundlePaths.entries, (ls) => ls.splice(at(4096), 1)),
      "log.entries.count",
      /^4209 entries for a window of 4210$/,
    );
    const f = new Map(files);
    const b = files.get(BundlePaths.entries)!.slice();
    b[b.length - 10] = 0xff; // in the last batch
    b[5] = 0x20; // an earlier entry is no longer canonical, but the whole file is not UTF-8 first
    f.set(BundlePaths.entries, b);
    await expectRefused(
      rezip(f, { resignIndex: true }),
      "log.entries.format",
      /^bad-entry: entries\.jsonl is not UTF-8$/,
    );
    await expectRefused(
      withLines(BundlePaths.entries, (ls) => ls.splice(at(4000), 0, "")),
      "log.entries.count",
      /not newline-terminated lines/,
    );
  }, 180_000);

  test("a bad manifest signature, in the first and a later batch of manifests", async () => {
    const count = lines(BundlePaths.manifests).length;
    for (const i of [0, 600, count - 1]) {
      const zip = withLines(BundlePaths.manifests, (ls) => {
        const env = JSON.parse(ls[i]!);
        const sig = Buffer.from(env.signatures[0].sig, "base64");
        sig[7] = sig[7]! ^ 0x01;
        env.signatures[0].sig = sig.toString("base64");
        ls[i] = dec.decode(canonicalBytes(env));
      });
      // The line no longer hashes to its entry's manifestSha256: caught before the signature is checked.
      await expectRefused(
        zip,
        "manifests",
        new RegExp(`^manifest ${i + 1} \\(entry \\d+, bk_\\d+\\) is not the manifest the log committed to$`),
      );
    }
  }, 180_000);

  test("a swapped, dropped or missing manifest", async () => {
    await expectRefused(
      withLines(BundlePaths.manifests, (ls) => ([ls[600], ls[601]] = [ls[601]!, ls[600]!])),
      "manifests",
      /^manifest 601 .*; manifest 602 /,
    );
    await expectRefused(
      withLines(BundlePaths.manifests, (ls) => ls.pop()),
      "manifests",
      /^\d+ manifests for \d+ backup\.completed entries$/,
    );
    const f = new Map(files);
    f.delete(BundlePaths.manifests);
    await expectRefused(rezip(f, { resignIndex: true }), "manifests", /missing or not newline-terminated/);
  }, 180_000);

  test("a truncated zip, and a corrupt deflate stream inside log/entries.jsonl", async () => {
    for (const cut of [1, 22, 1000, Math.floor(ZIP.length / 2)])
      await expectRefused(ZIP.subarray(0, ZIP.length - cut), "bundle.zip", /^not-a-zip: /);
    // Deflate data of the entries, past its first blocks: the stream breaks or inflates to another size.
    const z = ZIP.slice();
    const name = utf8(BundlePaths.entries);
    let local = -1;
    for (let i = 0; i < z.length - name.length && local < 0; i++)
      if (
        z[i] === 0x50 &&
        z[i + 1] === 0x4b &&
        z[i + 2] === 3 &&
        z[i + 3] === 4 &&
        dec.decode(z.subarray(i + 30, i + 30 + name.length)) === BundlePaths.entries
      )
        local = i;
    const data = local + 30 + name.length + (z[local + 28]! | (z[local + 29]! << 8));
    for (let k = 0; k < 64; k++) z[data + 20_000 + k] = 0xff;
    await expectRefused(z, "bundle.zip", /^(not-a-zip|bundle-size-mismatch): log\/entries\.jsonl: /);
  }, 180_000);
});
