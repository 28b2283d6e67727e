import { zipSync } from "fflate";
import { describe, expect, test } from "vitest";
import { utf8 } from "../bytes/utf8.js";
import { MAX_BUNDLE_FILES } from "./layout.js";
import { readBundle } from "./read-bundle.js";

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

  test("refuses too many files, unsafe paths and garbage", () => {
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i <= MAX_BUNDLE_FILES; i++) many[`f${i}`] = new Uint8Array();
    expect(readBundle(zipSync(many))).toMatchObject({ ok: false, code: "too-large" });
    expect(readBundle(zipSync({ "../x": utf8("x") }))).toMatchObject({ ok: false, code: "bad-path" });
    expect(readBundle(zipSync({ "/etc/x": utf8("x") }))).toMatchObject({ ok: false, code: "bad-path" });
    expect(readBundle(utf8("PK nope"))).toMatchObject({ ok: false });
  });
});
