import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8 } from "../bytes/utf8.js";
import { leafHash, nodeHash } from "./hash.js";
import { verifyConsistency } from "./verify-consistency.js";
import { inclusionProofSides, verifyInclusion, type ProofSide } from "./verify-inclusion.js";
import { verifySubtreeConsistency } from "./verify-subtree-consistency.js";
import { verifySubtreeInclusion } from "./verify-subtree-inclusion.js";

// Trees far too large to build: every leaf hash is U except one distinguished leaf X. Any subtree without
// the distinguished leaf has a root that depends only on its size (memoised), and only the O(log n) nodes
// above the distinguished leaf need real hashing, so RFC 9162's recursive definitions (MTH, PATH,
// SUBPROOF) and the draft's SUBTREE_PROOF run as written, on BigInt, for sizes up to 2^63 − 1. The proofs
// so built are real: the verifiers get no hint that the tree is special.

const U = leafHash(utf8("ordinary leaf"));
const X = leafHash(utf8("distinguished leaf"));

function split(n: bigint): bigint {
  let k = 1n;
  while (k * 2n < n) k *= 2n;
  return k;
}

class VirtualTree {
  private readonly uniform = new Map<bigint, Uint8Array>([[1n, U]]);

  constructor(readonly special: bigint) {}

  /** Root of n ordinary leaves. */
  plain(n: bigint): Uint8Array {
    let h = this.uniform.get(n);
    if (!h) {
      const k = split(n);
      h = nodeHash(this.plain(k), this.plain(n - k));
      this.uniform.set(n, h);
    }
    return h;
  }

  /** MTH(D[lo:hi)). */
  mth(lo: bigint, hi: bigint): Uint8Array {
    if (this.special < lo || this.special >= hi) return this.plain(hi - lo);
    if (hi - lo === 1n) return X;
    const k = split(hi - lo);
    return nodeHash(this.mth(lo, lo + k), this.mth(lo + k, hi));
  }

  /** PATH(m, D[lo:hi)), with the side of each sibling. */
  path(m: bigint, lo: bigint, hi: bigint): { hashes: Uint8Array[]; sides: ProofSide[] } {
    if (hi - lo <= 1n) return { hashes: [], sides: [] };
    const k = split(hi - lo);
    const inner = m < lo + k ? this.path(m, lo, lo + k) : this.path(m, lo + k, hi);
    const sibling = m < lo + k ? this.mth(lo + k, hi) : this.mth(lo, lo + k);
    return { hashes: [...inner.hashes, sibling], sides: [...inner.sides, m < lo + k ? "right" : "left"] };
  }

  /** SUBTREE_SUBPROOF(start, end, D[lo:hi), known), with start and end relative to lo. From 0 it is SUBPROOF. */
  subproof(start: bigint, end: bigint, lo: bigint, hi: bigint, known: boolean): Uint8Array[] {
    if (start === 0n && end === hi - lo) return known ? [] : [this.mth(lo, hi)];
    const k = split(hi - lo);
    if (end <= k) return [...this.subproof(start, end, lo, lo + k, known), this.mth(lo + k, hi)];
    if (k <= start) return [...this.subproof(start - k, end - k, lo + k, hi, known), this.mth(lo, lo + k)];
    return [...this.subproof(0n, end - k, lo + k, hi, false), this.mth(lo, lo + k)];
  }
}

/** The left/right decisions RFC 9162 §2.1.3.2's verification loop makes, on BigInt. */
function rfcSides(index: bigint, size: bigint, proofLength: number): ProofSide[] | undefined {
  let fn = index;
  let sn = size - 1n;
  const sides: ProofSide[] = [];
  for (let i = 0; i < proofLength; i++) {
    if (sn === 0n) return undefined;
    if ((fn & 1n) === 1n || fn === sn) {
      sides.push("left");
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else sides.push("right");
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? sides : undefined;
}

const P32 = 2n ** 32n;
const MAX53 = 2n ** 53n - 1n;
const MAX63 = 2n ** 63n - 1n;

/** As a number when that is exact, so both forms of the public API are exercised. */
const asInput = (v: bigint): number | bigint => (v <= MAX53 ? Number(v) : v);

const inclusionCases: [bigint, bigint][] = [
  [0n, P32 + 5n],
  [P32 + 4n, P32 + 5n],
  [P32 - 1n, P32 + 5n],
  [P32, P32 + 5n],
  [P32 + 1n, P32 + 5n],
  [12_345_678_901n, 2n ** 40n],
  [2n ** 40n - 1n, 2n ** 40n],
  [2n ** 39n, 2n ** 40n],
  [0n, MAX53],
  [2n ** 52n + 3n, MAX53],
  [MAX53 - 1n, MAX53],
  [MAX53 - 2n, MAX53],
  [2n ** 62n + 2n ** 33n + 1n, MAX63],
  [MAX63 - 1n, MAX63],
];

describe("inclusion proofs in trees of up to 2^63 − 1 leaves", () => {
  it.each(inclusionCases.map(([i, n]) => ({ i, n, label: `leaf ${i} of ${n}` })))("$label", ({ i, n }) => {
    const tree = new VirtualTree(i);
    const root = tree.mth(0n, n);
    const { hashes, sides } = tree.path(i, 0n, n);
    // Shape: the verifier's decisions equal PATH's sibling sides and the RFC loop's decisions.
    expect(inclusionProofSides(i, n)).toEqual(sides);
    expect(rfcSides(i, n, hashes.length)).toEqual(sides);
    // And the real proof verifies, as a number when exact and as a bigint.
    expect(verifyInclusion(asInput(i), asInput(n), X, root, hashes)).toEqual({ ok: true, value: true });
    expect(verifyInclusion(i, n, X, root, hashes)).toEqual({ ok: true, value: true });
    // Neighbouring indexes put the distinguished leaf elsewhere.
    if (i > 0n) expect(verifyInclusion(i - 1n, n, X, root, hashes).ok).toBe(false);
    if (i + 1n < n) expect(verifyInclusion(i + 1n, n, X, root, hashes).ok).toBe(false);
    expect(verifyInclusion(n, n, X, root, hashes)).toMatchObject({ ok: false, code: "index-out-of-range" });
  });

  it("the verifier's shape equals the RFC algorithm's for random 63-bit indexes and sizes", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX63 }), fc.bigInt({ min: 0n, max: MAX63 }), (n, at) => {
        const i = at % n;
        const sides = inclusionProofSides(i, n);
        expect(rfcSides(i, n, sides.length)).toEqual(sides);
        // No other length is accepted by the RFC loop.
        expect(rfcSides(i, n, sides.length + 1)).toBeUndefined();
        if (sides.length > 0) expect(rfcSides(i, n, sides.length - 1)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it("real proofs verify for random indexes in random trees beyond 2^32", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: P32, max: MAX63 }), fc.bigInt({ min: 0n, max: MAX63 }), (n, at) => {
        const i = at % n;
        const tree = new VirtualTree(i);
        const { hashes } = tree.path(i, 0n, n);
        expect(verifyInclusion(i, n, X, tree.mth(0n, n), hashes)).toEqual({ ok: true, value: true });
      }),
      { numRuns: 100 },
    );
  });
});

const consistencyCases: [bigint, bigint][] = [
  [5n, P32 + 5n],
  [P32, P32 + 5n],
  [P32 - 1n, P32 + 1n],
  [P32 + 5n, 2n ** 40n],
  [2n ** 40n, 2n ** 40n + 1n],
  [2n ** 40n - 3n, MAX53],
  [2n ** 52n, MAX53],
  [MAX53 - 1n, MAX53],
  [MAX53, 2n ** 62n + 7n],
  [2n ** 62n + 7n, MAX63],
];

describe("consistency proofs between trees of up to 2^63 − 1 leaves", () => {
  it.each(consistencyCases.map(([m, n]) => ({ m, n, label: `${m} to ${n}` })))("$label", ({ m, n }) => {
    // The older tree's last leaf is distinguished, so both roots and the proof depend on where it is.
    const tree = new VirtualTree(m - 1n);
    const root1 = tree.mth(0n, m);
    const root2 = tree.mth(0n, n);
    const proof = tree.subproof(0n, m, 0n, n, true);
    expect(verifyConsistency(asInput(m), asInput(n), root1, root2, proof)).toEqual({ ok: true, value: true });
    expect(verifyConsistency(m, n, root1, root2, proof)).toEqual({ ok: true, value: true });
    expect(verifyConsistency(m - 1n, n, root1, root2, proof).ok).toBe(false);
    expect(verifyConsistency(m + 1n, n, root1, root2, proof).ok).toBe(false);
    expect(verifyConsistency(m, n, root2, root2, proof).ok).toBe(false);
  });

  it("real proofs verify for random sizes beyond 2^32", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n, max: MAX63 }), fc.bigInt({ min: 0n, max: MAX63 }), (n, at) => {
        const m = 1n + (at % (n - 1n));
        const tree = new VirtualTree(m - 1n);
        const proof = tree.subproof(0n, m, 0n, n, true);
        expect(verifyConsistency(m, n, tree.mth(0n, m), tree.mth(0n, n), proof)).toEqual({ ok: true, value: true });
      }),
      { numRuns: 100 },
    );
  });
});

const subtreeCases: [bigint, bigint, bigint][] = [
  [2n ** 40n, 2n ** 40n + P32 + 5n, MAX53],
  [2n ** 40n, 2n ** 40n + P32 + 5n, 2n ** 40n + P32 + 5n],
  [2n ** 33n, 2n ** 34n, 2n ** 40n],
  [0n, P32 + 5n, 2n ** 40n],
  [P32 * 3n, P32 * 4n, P32 * 4n + 1n],
  [2n ** 52n, MAX53, MAX53],
  [2n ** 61n, 2n ** 61n + 2n ** 60n + 3n, MAX63],
];

describe("subtree proofs in trees of up to 2^63 − 1 leaves", () => {
  it.each(subtreeCases.map(([s, e, n]) => ({ s, e, n, label: `[${s}, ${e}) of ${n}` })))("$label", ({ s, e, n }) => {
    // Inclusion of a leaf in the middle of the subtree, relative to the subtree's own root.
    const i = s + (e - s) / 2n;
    const leafTree = new VirtualTree(i);
    const path = leafTree.path(i, s, e);
    expect(verifySubtreeInclusion(asInput(i), asInput(s), asInput(e), X, leafTree.mth(s, e), path.hashes)).toEqual({
      ok: true,
      value: true,
    });
    expect(verifySubtreeInclusion(i + 1n, s, e, X, leafTree.mth(s, e), path.hashes).ok).toBe(false);

    // Consistency of the subtree with the whole tree, with the subtree's last leaf distinguished.
    const tree = new VirtualTree(e - 1n);
    const proof = tree.subproof(s, e, 0n, n, true);
    const sub = tree.mth(s, e);
    const root = tree.mth(0n, n);
    expect(verifySubtreeConsistency(asInput(s), asInput(e), asInput(n), sub, root, proof)).toEqual({
      ok: true,
      value: true,
    });
    expect(verifySubtreeConsistency(s, e, n, root, root, proof).ok).toBe(false);
    // The same subtree without the distinguished leaf is not part of this tree.
    expect(verifySubtreeConsistency(s, e, n, tree.plain(e - s), root, proof).ok).toBe(false);
  });
});

describe("what 32-bit arithmetic would get wrong", () => {
  it("distinguishes indexes that agree in their low 32 bits", () => {
    const n = 2n ** 40n;
    for (const i of [5n, P32 + 5n, 2n * P32 + 5n]) {
      const tree = new VirtualTree(i);
      const proof = tree.path(i, 0n, n).hashes;
      const root = tree.mth(0n, n);
      for (const j of [5n, P32 + 5n, 2n * P32 + 5n]) expect(verifyInclusion(j, n, X, root, proof).ok).toBe(i === j);
    }
  });
});
