import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesEqual } from "../bytes/compare.js";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import { consistencyProof, inclusionProof } from "./build-proof.js";
import { EMPTY_ROOT, leafHash, nodeHash } from "./hash.js";
import { rootFromLeafHashes } from "./tree-root.js";
import { verifyConsistency } from "./verify-consistency.js";
import { inclusionProofSides, rootFromInclusionProof, verifyInclusion } from "./verify-inclusion.js";
import { flipBit, flipOneOf, mth, split } from "../test-support/merkle-reference.js";

// --- References written straight from RFC 9162, independent of the code under test. ---

/** PATH(m, D[n]) (§2.1.3.1). */
function path(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const k = split(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}

/** SUBPROOF(m, D[n], b) (§2.1.4.1). */
function subproof(m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = split(d.length);
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

/** The inclusion verification algorithm of §2.1.3.2, on BigInt. */
function rfcVerifyInclusion(
  index: bigint,
  size: bigint,
  hash: Uint8Array,
  root: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1n;
  let r = hash;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else r = nodeHash(r, p);
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && bytesEqual(r, root);
}

/** The consistency verification algorithm of §2.1.4.2, on BigInt, for 0 < first < second. */
function rfcVerifyConsistency(
  first: bigint,
  second: bigint,
  firstHash: Uint8Array,
  secondHash: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!(0n < first && first < second)) throw new Error("reference needs 0 < first < second");
  if (proof.length === 0) return false;
  const path = (first & (first - 1n)) === 0n ? [firstHash, ...proof] : [...proof];
  let fn = first - 1n;
  let sn = second - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else sr = nodeHash(sr, c);
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && bytesEqual(fr, firstHash) && bytesEqual(sr, secondHash);
}

// --- Helpers ---

const leavesOf = (seed: number, n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => leafHash(utf8(`${seed}:${i}`)));

const hexes = (hs: readonly Uint8Array[]): string[] => hs.map(toHex);
const OK = { ok: true, value: true };

/** A tree of n ∈ [1, 160] distinct leaves and one leaf index in it. */
const treeAndIndex = fc
  .record({ seed: fc.integer({ min: 0, max: 1 << 20 }), n: fc.integer({ min: 1, max: 160 }), at: fc.nat() })
  .map(({ seed, n, at }) => ({ seed, n, i: at % n, leaves: leavesOf(seed, n) }));

/** A tree of n ∈ [1, 160] leaves and an older size m ∈ [1, n]. */
const treeAndOlderSize = fc
  .record({ seed: fc.integer({ min: 0, max: 1 << 20 }), n: fc.integer({ min: 1, max: 160 }), at: fc.nat() })
  .map(({ seed, n, at }) => ({ seed, n, m: 1 + (at % n), leaves: leavesOf(seed, n) }));

describe("proof generation matches RFC 9162's definitions", () => {
  it("roots, inclusion paths and consistency proofs for every index and size up to 40", () => {
    const leaves = leavesOf(7, 40);
    for (let n = 0; n <= 40; n++) {
      const d = leaves.slice(0, n);
      expect(toHex(rootFromLeafHashes(d))).toBe(toHex(mth(d)));
      for (let i = 0; i < n; i++) expect(hexes(inclusionProof(d, i))).toEqual(hexes(path(i, d)));
      for (let m = 1; m <= n; m++) expect(hexes(consistencyProof(d, m))).toEqual(hexes(subproof(m, d, true)));
    }
  });

  it("generators reject proofs that do not exist", () => {
    const leaves = leavesOf(8, 5);
    expect(() => inclusionProof(leaves, 5)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, -1)).toThrow(RangeError);
    expect(() => inclusionProof([], 0)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 6)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, 2 ** 53)).toThrow(RangeError);
    expect(consistencyProof(leaves, 0)).toEqual([]);
    // Sizes and indexes may be bigints here too.
    expect(hexes(inclusionProof(leaves, 3n))).toEqual(hexes(inclusionProof(leaves, 3)));
    expect(hexes(consistencyProof(leaves, 3n))).toEqual(hexes(consistencyProof(leaves, 3)));
    expect(consistencyProof(leaves, 5)).toEqual([]);
  });
});

describe("inclusion proofs (properties)", () => {
  it("a generated proof verifies, and agrees with the RFC algorithm", () => {
    fc.assert(
      fc.property(treeAndIndex, ({ n, i, leaves }) => {
        const root = rootFromLeafHashes(leaves);
        const proof = inclusionProof(leaves, i);
        expect(verifyInclusion(i, n, leaves[i]!, root, proof)).toEqual(OK);
        expect(verifyInclusion(BigInt(i), BigInt(n), leaves[i]!, root, proof)).toEqual(OK);
        expect(rfcVerifyInclusion(BigInt(i), BigInt(n), leaves[i]!, root, proof)).toBe(true);
        expect(inclusionProofSides(BigInt(i), BigInt(n)).length).toBe(proof.length);
      }),
      { numRuns: 300 },
    );
  });

  it("any single-bit flip in the proof, the root or the leaf fails", () => {
    fc.assert(
      fc.property(treeAndIndex, fc.nat(), fc.nat(255), ({ n, i, leaves }, which, bit) => {
        const root = rootFromLeafHashes(leaves);
        const bad = flipOneOf(inclusionProof(leaves, i), root, leaves[i]!, which, bit);
        expect(verifyInclusion(i, n, bad.leaf, bad.root, bad.proof)).toMatchObject({
          ok: false,
          code: "root-mismatch",
        });
      }),
      { numRuns: 400 },
    );
  });

  it("a changed index always fails", () => {
    fc.assert(
      fc.property(treeAndIndex, fc.nat(), ({ n, i, leaves }, other) => {
        const j = other % (n + 4);
        fc.pre(j !== i);
        const r = verifyInclusion(j, n, leaves[i]!, rootFromLeafHashes(leaves), inclusionProof(leaves, i));
        expect(r.ok).toBe(false);
        expect(
          rfcVerifyInclusion(BigInt(j), BigInt(n), leaves[i]!, rootFromLeafHashes(leaves), inclusionProof(leaves, i)),
        ).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("a changed size fails unless the proof has exactly the same shape (the root binds the size, via the checkpoint)", () => {
    fc.assert(
      fc.property(treeAndIndex, fc.nat(), ({ n, i, leaves }, other) => {
        const n2 = other % (2 * n + 4);
        fc.pre(n2 !== n);
        const root = rootFromLeafHashes(leaves);
        const proof = inclusionProof(leaves, i);
        const r = verifyInclusion(i, n2, leaves[i]!, root, proof);
        const sameShape =
          n2 > i &&
          inclusionProofSides(BigInt(i), BigInt(n2)).join() === inclusionProofSides(BigInt(i), BigInt(n)).join();
        expect(r.ok).toBe(sameShape);
        expect(rfcVerifyInclusion(BigInt(i), BigInt(n2), leaves[i]!, root, proof)).toBe(sameShape);
      }),
      { numRuns: 300 },
    );
  });

  it("precise error codes", () => {
    const leaves = leavesOf(9, 7);
    const root = rootFromLeafHashes(leaves);
    const proof = inclusionProof(leaves, 3);
    expect(verifyInclusion(7, 7, leaves[3]!, root, proof)).toMatchObject({ ok: false, code: "index-out-of-range" });
    expect(verifyInclusion(0, 0, leaves[3]!, root, [])).toMatchObject({ ok: false, code: "index-out-of-range" });
    expect(verifyInclusion(-1, 7, leaves[3]!, root, proof)).toMatchObject({ ok: false, code: "invalid-index" });
    expect(verifyInclusion(1.5, 7, leaves[3]!, root, proof)).toMatchObject({ ok: false, code: "invalid-index" });
    expect(verifyInclusion(2 ** 53, 2n ** 60n, leaves[3]!, root, proof)).toMatchObject({
      ok: false,
      code: "invalid-index",
    });
    expect(verifyInclusion(3, 2n ** 63n, leaves[3]!, root, proof)).toMatchObject({ ok: false, code: "invalid-size" });
    expect(verifyInclusion(3, 7, leaves[3]!.subarray(1), root, proof)).toMatchObject({
      ok: false,
      code: "invalid-leaf-hash",
    });
    expect(verifyInclusion(3, 7, leaves[3]!, root, proof.slice(1))).toMatchObject({
      ok: false,
      code: "wrong-proof-size",
    });
    expect(verifyInclusion(3, 7, leaves[3]!, root, [...proof, root])).toMatchObject({
      ok: false,
      code: "wrong-proof-size",
    });
    expect(verifyInclusion(3, 7, leaves[3]!, root, [proof[0]!, proof[1]!.subarray(2), proof[2]!])).toMatchObject({
      ok: false,
      code: "invalid-proof-hash",
    });
    expect(verifyInclusion(3, 7, leaves[3]!, leaves[3]!, proof)).toMatchObject({ ok: false, code: "root-mismatch" });
    const computed = rootFromInclusionProof(3, 7, leaves[3]!, proof);
    expect(computed.ok && toHex(computed.value)).toBe(toHex(root));
  });
});

describe("consistency proofs (properties)", () => {
  it("a generated proof verifies, and agrees with the RFC algorithm", () => {
    fc.assert(
      fc.property(treeAndOlderSize, ({ n, m, leaves }) => {
        const root1 = rootFromLeafHashes(leaves.slice(0, m));
        const root2 = rootFromLeafHashes(leaves);
        const proof = consistencyProof(leaves, m);
        expect(verifyConsistency(m, n, root1, root2, proof)).toEqual(OK);
        expect(verifyConsistency(BigInt(m), BigInt(n), root1, root2, proof)).toEqual(OK);
        if (m < n) expect(rfcVerifyConsistency(BigInt(m), BigInt(n), root1, root2, proof)).toBe(true);
        else expect(proof).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("any single-bit flip in the proof or either root fails", () => {
    fc.assert(
      fc.property(treeAndOlderSize, fc.nat(), fc.nat(255), ({ n, m, leaves }, which, bit) => {
        let root1 = rootFromLeafHashes(leaves.slice(0, m));
        let root2 = rootFromLeafHashes(leaves);
        const proof = consistencyProof(leaves, m);
        const target = which % (proof.length + 2);
        if (target < proof.length) proof[target] = flipBit(proof[target]!, bit);
        else if (target === proof.length) root1 = flipBit(root1, bit);
        else root2 = flipBit(root2, bit);
        const r = verifyConsistency(m, n, root1, root2, proof);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(["old-root-mismatch", "new-root-mismatch"]).toContain(r.code);
      }),
      { numRuns: 400 },
    );
  });

  it("changed sizes fail exactly when the RFC algorithm rejects them", () => {
    fc.assert(
      fc.property(treeAndOlderSize, fc.nat(), fc.nat(), fc.boolean(), ({ n, m, leaves }, x, y, changeFirst) => {
        fc.pre(m < n);
        const root1 = rootFromLeafHashes(leaves.slice(0, m));
        const root2 = rootFromLeafHashes(leaves);
        const proof = consistencyProof(leaves, m);
        const m2 = changeFirst ? x % (n + 2) : m;
        const n2 = changeFirst ? n : y % (2 * n + 2);
        fc.pre(m2 !== m || n2 !== n);
        const r = verifyConsistency(m2, n2, root1, root2, proof);
        if (m2 === 0 || m2 >= n2) expect(r.ok).toBe(false);
        else expect(r.ok).toBe(rfcVerifyConsistency(BigInt(m2), BigInt(n2), root1, root2, proof));
        // A changed older size never verifies: it would need the same root from a different prefix.
        if (changeFirst) expect(r.ok).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it("precise error codes", () => {
    const leaves = leavesOf(10, 11);
    const r6 = rootFromLeafHashes(leaves.slice(0, 6));
    const r11 = rootFromLeafHashes(leaves);
    const proof = consistencyProof(leaves, 6);
    expect(verifyConsistency(6, 11, r6, r11, proof)).toEqual(OK);
    expect(verifyConsistency(11, 6, r11, r6, proof)).toMatchObject({ ok: false, code: "sizes-out-of-order" });
    expect(verifyConsistency(0, 11, EMPTY_ROOT, r11, [])).toMatchObject({ ok: false, code: "empty-tree" });
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toMatchObject({ ok: false, code: "empty-tree" });
    expect(verifyConsistency(11, 11, r11, r11, [])).toEqual(OK);
    expect(verifyConsistency(11, 11, r11, r6, [])).toMatchObject({ ok: false, code: "new-root-mismatch" });
    expect(verifyConsistency(11, 11, r11, r11, [r11])).toMatchObject({ ok: false, code: "wrong-proof-size" });
    expect(verifyConsistency(6, 11, r6, r11, [])).toMatchObject({ ok: false, code: "wrong-proof-size" });
    expect(verifyConsistency(6, 11, r6, r11, proof.slice(1))).toMatchObject({ ok: false, code: "wrong-proof-size" });
    expect(verifyConsistency(6, 11, r6, r11, [...proof.slice(1), proof[0]!.subarray(1)])).toMatchObject({
      ok: false,
      code: "invalid-proof-hash",
    });
    expect(verifyConsistency(6, 11, r11, r11, proof)).toMatchObject({ ok: false, code: "old-root-mismatch" });
    expect(verifyConsistency(6, 11, r6, r6, proof)).toMatchObject({ ok: false, code: "new-root-mismatch" });
    expect(verifyConsistency(-6, 11, r6, r11, proof)).toMatchObject({ ok: false, code: "invalid-size" });
    expect(verifyConsistency(6, 2 ** 53, r6, r11, proof)).toMatchObject({ ok: false, code: "invalid-size" });
  });
});
