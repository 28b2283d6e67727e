import { describe, expect, it } from "vitest";
import { concatBytes } from "../bytes/compare.js";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import { sha256 } from "../hash/sha256.js";
import { allHashes, EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash } from "./hash.js";

describe("RFC 9162 hashing", () => {
  it("EMPTY_ROOT is SHA-256 of the empty string", () => {
    expect(toHex(EMPTY_ROOT)).toBe(toHex(sha256(new Uint8Array())));
    expect(EMPTY_ROOT.length).toBe(HASH_SIZE);
  });

  it("leafHash is SHA-256(0x00 ‖ entry) and nodeHash is SHA-256(0x01 ‖ left ‖ right)", () => {
    const entry = utf8("walwarden");
    expect(toHex(leafHash(entry))).toBe(toHex(sha256(concatBytes(Uint8Array.of(0), entry))));
    const l = leafHash(utf8("l"));
    const r = leafHash(utf8("r"));
    expect(toHex(nodeHash(l, r))).toBe(toHex(sha256(concatBytes(Uint8Array.of(1), l, r))));
    // Domain separation: a node is never a leaf of its children's concatenation.
    expect(toHex(nodeHash(l, r))).not.toBe(toHex(leafHash(concatBytes(l, r))));
  });

  it("allHashes accepts only 32-byte arrays", () => {
    expect(allHashes([])).toBe(true);
    expect(allHashes([new Uint8Array(32), new Uint8Array(32)])).toBe(true);
    expect(allHashes([new Uint8Array(32), new Uint8Array(31)])).toBe(false);
    expect(allHashes([new Uint8Array(33)])).toBe(false);
  });
});
