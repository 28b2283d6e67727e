import { unzipSync, zipSync } from "fflate";
import { describe, expect, test } from "vitest";
import { utf8 } from "../bytes/utf8.js";
import { buildFixtureLog, fixtureBundle } from "../test-support/fixture-log.js";
import {
  lyingSizes,
  manyEmptyFiles,
  manyEntries,
  nestedZip,
  oneHugeEntry,
  overlappingEntries,
  rawZip,
  zeroDeflate,
} from "../test-support/zip-bombs.js";
import { DEFAULT_BUNDLE_LIMITS, RATIO_FLOOR_BYTES } from "./bundle-limits.js";
import { MAX_BUNDLE_FILES } from "./layout.js";
import { INDEX_BYTES_PER_FILE, readBundle } from "./read-bundle.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function eocd(zip: Uint8Array): number {
  for (let i = zip.length - 22; i >= 0; i--)
    if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 0x05 && zip[i + 3] === 0x06) return i;
  throw new Error("no end record");
}

describe("readBundle", () => {
  test("reads a plain zip", () => {
    const r = readBundle(zipSync({ "a.txt": utf8("a"), "b/c.txt": utf8("c") }));
    expect(r.ok && [...r.value.keys()].sort()).toEqual(["a.txt", "b/c.txt"]);
  });

  test("refuses ZIP64 (saturated entry count or size), whose contents fflate would misread", () => {
    const zip = zipSync({ "a.txt": utf8("a") });
    for (const [offset, bytes] of [
      [8, 2],
      [10, 2],
      [12, 4],
      [16, 4],
    ] as const) {
      const bad = zip.slice();
      bad.fill(0xff, eocd(bad) + offset, eocd(bad) + offset + bytes);
      expect(readBundle(bad)).toMatchObject({ ok: false, code: "zip64" });
    }
  });

  test("reads a real bundle exactly as fflate's unzipSync does", () => {
    const zip = fixtureBundle(buildFixtureLog(300, 11), 10, 290);
    const r = readBundle(zip);
    expect(r.ok).toBe(true);
    expect(r.ok && Object.fromEntries(r.value)).toEqual(unzipSync(zip));
  });

  test("refuses too many files, unsafe paths and garbage", () => {
    expect(readBundle(manyEmptyFiles(MAX_BUNDLE_FILES + 1))).toMatchObject({
      ok: false,
      code: "bundle-too-many-files",
    });
    expect(readBundle(manyEmptyFiles(MAX_BUNDLE_FILES)).ok).toBe(true);
    expect(readBundle(zipSync({ "../x": utf8("x") }))).toMatchObject({ ok: false, code: "bad-path" });
    expect(readBundle(zipSync({ "/etc/x": utf8("x") }))).toMatchObject({ ok: false, code: "bad-path" });
    expect(readBundle(utf8("PK nope"))).toMatchObject({ ok: false });
  });

  test("refuses a zip longer than maxZipBytes before reading its directory", () => {
    const zip = zipSync({ "a.txt": utf8("hello") });
    expect(readBundle(zip, { maxZipBytes: zip.length }).ok).toBe(true);
    expect(readBundle(zip, { maxZipBytes: zip.length - 1 })).toMatchObject({ ok: false, code: "bundle-too-large" });
  });

  test("refuses a zip whose local header says something else than its central directory", () => {
    const zip = zipSync({ "a.txt": utf8("hello") }, { level: 0 });
    const renamed = zip.slice();
    renamed[30] = "b".charCodeAt(0); // the local header's name
    expect(readBundle(renamed)).toMatchObject({ ok: false, code: "not-a-zip", message: /local header/ });
    const encrypted = zip.slice();
    const flags = encrypted.length - 22 - 46 - "a.txt".length + 8; // the central record's flags
    encrypted[flags] = encrypted[flags]! | 1;
    expect(readBundle(encrypted)).toMatchObject({ ok: false, code: "unsupported-zip" });
  });
});

// Each bomb is refused from its central directory, before anything is inflated, or after at most a few MiB
// of output: a read that inflated it would take seconds and gigabytes (verifier/test/zip-bomb-cli.test.ts
// measures the memory of a real process).
describe("readBundle refuses zip bombs within its limits", () => {
  const quickly = (zip: Uint8Array, limits = {}) => {
    const t = performance.now();
    const r = readBundle(zip, limits);
    return { ...r, ms: performance.now() - t };
  };

  test("one file of 1 GiB of zeros: its ratio (about 1,000) is over maxRatio, found in the directory", () => {
    const r = quickly(oneHugeEntry(GiB));
    expect(r).toMatchObject({ ok: false, code: "bundle-ratio" });
    expect(r.ms).toBeLessThan(1_000);
  });

  test("a file declared larger than maxFileBytes, and files that add up past maxTotalBytes", () => {
    const noRatio = { maxRatio: 2_000 };
    expect(quickly(oneHugeEntry(64 * MiB), { ...noRatio, maxFileBytes: 32 * MiB })).toMatchObject({
      ok: false,
      code: "bundle-entry-too-large",
    });
    const many = quickly(manyEntries(40, 64 * MiB), noRatio); // 2.5 GiB in all
    expect(many).toMatchObject({ ok: false, code: "bundle-too-large" });
    expect(many.ms).toBeLessThan(1_000);
    expect(quickly(manyEntries(4, 16 * MiB), { ...noRatio, maxTotalBytes: 48 * MiB })).toMatchObject({
      ok: false,
      code: "bundle-too-large",
    });
  });

  test("a directory that declares 1,000 bytes for 1 GiB: stopped by the running cap after a few MiB", () => {
    const r = quickly(lyingSizes(GiB, 1_000));
    expect(r).toMatchObject({ ok: false, code: "bundle-size-mismatch", message: /more than the 1000 bytes/ });
    expect(r.ms).toBeLessThan(5_000);
    // A stream that ends short of its declared size is refused too.
    expect(readBundle(lyingSizes(MiB, 2 * MiB), { maxRatio: 10_000 })).toMatchObject({
      ok: false,
      code: "bundle-size-mismatch",
    });
  });

  test("overlapping files (Fifield's bomb: every file ends in one shared kernel)", () => {
    const zip = overlappingEntries(100, 64 * MiB); // 6.4 GiB from 75 KB to a reader that follows the streams
    expect(Object.values(unzipSync(overlappingEntries(3, MiB))).map((f) => f.length >= MiB)).toEqual([
      true,
      true,
      true,
    ]); // the construction is a real one
    const r = quickly(zip); // refused for its structure, before what it declares (6.4 GiB) is weighed
    expect(r).toMatchObject({ ok: false, code: "bundle-overlap" });
    expect(r.ms).toBeLessThan(1_000);
  });

  test("a zip inside the zip is one stored file: never opened", () => {
    const r = quickly(nestedZip(GiB));
    expect(r.ok && [...r.value.keys()]).toEqual(["report.zip"]);
    expect(r.ms).toBeLessThan(1_000);
  });

  test("many files each under RATIO_FLOOR_BYTES that add up to a bomb: the whole zip's ratio", () => {
    const r = quickly(manyEntries(2_000, MiB)); // 2,000 MiB, under maxTotalBytes, from a 2 MB zip
    expect(r).toMatchObject({ ok: false, code: "bundle-ratio", message: /from a zip of/ });
    expect(r.ms).toBeLessThan(1_000);
  });

  test("an index larger than the file count allows (it is parsed before its signature is checked)", () => {
    const index = (size: number) => rawZip([{ name: "index.dsse.json", method: 0, data: new Uint8Array(size), size }]);
    const max = 64 * 1024 + INDEX_BYTES_PER_FILE * 100;
    expect(readBundle(index(max), { maxFiles: 100 }).ok).toBe(true);
    expect(readBundle(index(max + 1), { maxFiles: 100 })).toMatchObject({
      ok: false,
      code: "bundle-entry-too-large",
      message: /index\.dsse\.json declares/,
    });
  });

  test("a file up to RATIO_FLOOR_BYTES may have any ratio; above it, up to maxRatio", () => {
    expect(readBundle(oneHugeEntry(RATIO_FLOOR_BYTES)).ok).toBe(true);
    expect(readBundle(oneHugeEntry(2 * MiB))).toMatchObject({ ok: false, code: "bundle-ratio" });
    expect(readBundle(oneHugeEntry(2 * MiB), { maxRatio: 1_100 }).ok).toBe(true);
    const data = zeroDeflate(8 * MiB); // about 8 KB: 200 times that is over the floor
    const size = Math.floor(data.length * DEFAULT_BUNDLE_LIMITS.maxRatio);
    const atLimit = rawZip([{ name: "a", method: 8, data, size }]);
    expect(readBundle(atLimit)).toMatchObject({ ok: false, code: "bundle-size-mismatch" }); // ratio passed
    const overLimit = rawZip([{ name: "a", method: 8, data, size: size + 1 }]);
    expect(readBundle(overLimit)).toMatchObject({ ok: false, code: "bundle-ratio" });
  });
});
