import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesEqual } from "../bytes/compare.js";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import { consistencyProof, inclusionProof, subtreeConsistencyProof, subtreeInclusionProof } from "./build-proof.js";
import { EMPTY_ROOT, leafHash, nodeHash } from "./hash.js";
import { isValidSubtree } from "./subtree.js";
import { rootFromLeafHashes } from "./tree-root.js";
import { verifySubtreeConsistency } from "./verify-subtree-consistency.js";
import { verifySubtreeInclusion } from "./verify-subtree-inclusion.js";
import { flipBit, flipOneOf, mth, split } from "../test-support/merkle-reference.js";

// --- References from the Merkle Tree Certificates draft (subtrees, SUBTREE_PROOF and its verification),
// --- written independently of the code under test.

/** start < end and start is a multiple of BIT_CEIL(end − start), by brute force. */
function draftValidSubtree(start: number, end: number): boolean {
  if (start >= end) return false;
  let ceil = 1;
  while (ceil < end - start) ceil *= 2;
  return start % ceil === 0;
}

/** SUBTREE_SUBPROOF(start, end, D[n], known), recursively. */
function subtreeSubproof(start: number, end: number, d: readonly Uint8Array[], known: boolean): Uint8Array[] {
  if (start === 0 && end === d.length) return known ? [] : [mth(d)];
  const k = split(d.length);
  if (end <= k) return [...subtreeSubproof(start, end, d.slice(0, k), known), mth(d.slice(k))];
  if (k <= start) return [...subtreeSubproof(start - k, end - k, d.slice(k), known), mth(d.slice(0, k))];
  return [...subtreeSubproof(0, end - k, d.slice(k), false), mth(d.slice(0, k))];
}

/** The draft's subtree consistency verification (fn/sn/tn walk), on BigInt. */
function draftVerifySubtreeConsistency(
  start: bigint,
  end: bigint,
  n: bigint,
  proof: readonly Uint8Array[],
  nodeH: Uint8Array,
  rootH: Uint8Array,
): boolean {
  if (!draftValidSubtree(Number(start), Number(end)) || end > n) return false;
  let fn = start;
  let sn = end - 1n;
  let tn = n - 1n;
  const up = () => {
    fn >>= 1n;
    sn >>= 1n;
    tn >>= 1n;
  };
  if (sn === tn) while (fn !== sn) up();
  else while (fn !== sn && (sn & 1n) === 1n) up();
  let fr: Uint8Array;
  let sr: Uint8Array;
  let rest: readonly Uint8Array[];
  if (fn === sn) {
    fr = sr = nodeH;
    rest = proof;
  } else {
    if (proof.length === 0) return false;
    fr = sr = proof[0]!;
    rest = proof.slice(1);
  }
  for (const c of rest) {
    if (tn === 0n) return false;
    if ((sn & 1n) === 1n || sn === tn) {
      if (fn < sn) fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((sn & 1n) === 0n) up();
    } else sr = nodeHash(sr, c);
    up();
  }
  return tn === 0n && bytesEqual(fr, nodeH) && bytesEqual(sr, rootH);
}

// --- Helpers ---

const leavesOf = (seed: number, n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => leafHash(utf8(`${seed}~${i}`)));
const hexes = (hs: readonly Uint8Array[]): string[] => hs.map(toHex);
const OK = { ok: true, value: true };

/** A tree of `size` ≤ 160 leaves and a non-empty subtree [start, end) of it. */
const treeAndSubtree = fc
  .record({
    seed: fc.integer({ min: 0, max: 1 << 20 }),
    size: fc.integer({ min: 1, max: 160 }),
    a: fc.nat(),
    b: fc.nat(),
    fromZero: fc.boolean(),
  })
  .map(({ seed, size, a, b, fromZero }) => {
    const len = 1 + (a % size);
    let ceil = 1;
    while (ceil < len) ceil *= 2;
    const slots = Math.floor((size - len) / ceil) + 1; // aligned starts s with s + len ≤ size
    const start = fromZero ? 0 : ceil * (b % slots);
    return { seed, size, start, end: start + len, leaves: leavesOf(seed, size) };
  });

describe("isValidSubtree", () => {
  it("agrees with the draft's definition (plus the empty subtree) for all bounds up to 70", () => {
    for (let end = 0; end <= 70; end++)
      for (let start = 0; start <= 72; start++)
        expect(isValidSubtree(start, end), `[${start}, ${end})`).toBe(start === end || draftValidSubtree(start, end));
  });

  it("works beyond 2^53 with bigints and rejects invalid bounds", () => {
    expect(isValidSubtree(2n ** 60n, 2n ** 60n + 2n ** 59n)).toBe(true);
    expect(isValidSubtree(2n ** 59n, 2n ** 60n + 2n ** 59n)).toBe(false);
    expect(isValidSubtree(2n ** 40n, 2n ** 40n + 2n ** 32n + 5n)).toBe(true);
    expect(isValidSubtree(0n, 2n ** 63n - 1n)).toBe(true);
    expect(isValidSubtree(1n, 2n ** 63n - 1n)).toBe(false);
    expect(isValidSubtree(5, 3)).toBe(false);
    expect(isValidSubtree(-1, 3)).toBe(false);
    expect(isValidSubtree(0, 2 ** 53)).toBe(false); // unsafe number
  });
});

describe("subtree proof generation matches the draft", () => {
  it("for every subtree of every tree up to 33 leaves", () => {
    for (let n = 1; n <= 33; n++) {
      const d = leavesOf(3, n);
      for (let end = 1; end <= n; end++)
        for (let start = 0; start < end; start++) {
          if (!draftValidSubtree(start, end)) {
            expect(() => subtreeConsistencyProof(d, start, end)).toThrow(RangeError);
            continue;
          }
          expect(hexes(subtreeConsistencyProof(d, start, end))).toEqual(hexes(subtreeSubproof(start, end, d, true)));
          for (const i of new Set([start, (start + end) >> 1, end - 1]))
            expect(hexes(subtreeInclusionProof(d, i, start, end))).toEqual(
              hexes(inclusionProof(d.slice(start, end), i - start)),
            );
        }
      // From 0 it is the RFC 9162 consistency proof.
      for (let m = 1; m <= n; m++)
        expect(hexes(subtreeConsistencyProof(d, 0, m))).toEqual(hexes(consistencyProof(d, m)));
    }
  });
});

describe("subtree inclusion (properties)", () => {
  it("generated proofs verify; a flipped bit, another index or other bounds fail", () => {
    fc.assert(
      fc.property(
        treeAndSubtree,
        fc.nat(),
        fc.nat(),
        fc.nat(255),
        fc.nat(),
        ({ start, end, leaves }, at, which, bit, other) => {
          const i = start + (at % (end - start));
          const root = rootFromLeafHashes(leaves.slice(start, end));
          const proof = subtreeInclusionProof(leaves, i, start, end);
          expect(verifySubtreeInclusion(i, start, end, leaves[i]!, root, proof)).toEqual(OK);
          expect(verifySubtreeInclusion(BigInt(i), BigInt(start), BigInt(end), leaves[i]!, root, proof)).toEqual(OK);

          const bad = flipOneOf(proof, root, leaves[i]!, which, bit);
          expect(verifySubtreeInclusion(i, start, end, bad.leaf, bad.root, bad.proof)).toMatchObject({
            ok: false,
            code: "root-mismatch",
          });

          const j = other % (end + 3);
          if (j !== i) expect(verifySubtreeInclusion(j, start, end, leaves[i]!, root, proof).ok).toBe(false);
          // Sliding the subtree by its own alignment changes nothing but the claim about where it is; the
          // leaf must then move with it, and an unmoved index falls outside.
          const shift = 2 ** Math.ceil(Math.log2(end - start));
          expect(verifySubtreeInclusion(i + shift, start + shift, end + shift, leaves[i]!, root, proof)).toEqual(OK);
          expect(verifySubtreeInclusion(i, start + shift, end + shift, leaves[i]!, root, proof)).toMatchObject({
            ok: false,
            code: "index-out-of-range",
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("precise error codes", () => {
    const leaves = leavesOf(11, 16);
    const root = rootFromLeafHashes(leaves.slice(8, 14));
    const proof = subtreeInclusionProof(leaves, 10, 8, 14);
    expect(verifySubtreeInclusion(10, 8, 14, leaves[10]!, root, proof)).toEqual(OK);
    expect(verifySubtreeInclusion(10, 4, 10, leaves[10]!, root, proof)).toMatchObject({
      ok: false,
      code: "invalid-subtree",
    });
    expect(verifySubtreeInclusion(10, 14, 8, leaves[10]!, root, proof)).toMatchObject({
      ok: false,
      code: "invalid-subtree",
    });
    expect(verifySubtreeInclusion(10, 8, 8, leaves[10]!, root, proof)).toMatchObject({
      ok: false,
      code: "index-out-of-range",
    });
    expect(verifySubtreeInclusion(14, 8, 14, leaves[10]!, root, proof)).toMatchObject({
      ok: false,
      code: "index-out-of-range",
    });
    expect(verifySubtreeInclusion(7, 8, 14, leaves[10]!, root, proof)).toMatchObject({
      ok: false,
      code: "index-out-of-range",
    });
    expect(verifySubtreeInclusion(-1, 8, 14, leaves[10]!, root, proof)).toMatchObject({
      ok: false,
      code: "invalid-index",
    });
    expect(verifySubtreeInclusion(10, 8, 2n ** 64n, leaves[10]!, root, proof)).toMatchObject({
      ok: false,
      code: "invalid-size",
    });
    expect(verifySubtreeInclusion(10, 8, 14, leaves[10]!, root, proof.slice(1))).toMatchObject({
      ok: false,
      code: "wrong-proof-size",
    });
    expect(verifySubtreeInclusion(10, 8, 14, new Uint8Array(9), root, proof)).toMatchObject({
      ok: false,
      code: "invalid-leaf-hash",
    });
  });
});

describe("subtree consistency (properties)", () => {
  it("generated proofs verify, and agree with the draft's verification", () => {
    fc.assert(
      fc.property(treeAndSubtree, fc.nat(), ({ start, end, leaves }, at) => {
        const size = end + (at % (leaves.length - end + 1));
        const tree = leaves.slice(0, size);
        const sub = rootFromLeafHashes(leaves.slice(start, end));
        const root = rootFromLeafHashes(tree);
        const proof = subtreeConsistencyProof(tree, start, end);
        expect(verifySubtreeConsistency(start, end, size, sub, root, proof)).toEqual(OK);
        expect(verifySubtreeConsistency(BigInt(start), BigInt(end), BigInt(size), sub, root, proof)).toEqual(OK);
        expect(draftVerifySubtreeConsistency(BigInt(start), BigInt(end), BigInt(size), proof, sub, root)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("any single-bit flip in the proof or either root fails", () => {
    fc.assert(
      fc.property(treeAndSubtree, fc.nat(), fc.nat(), fc.nat(255), ({ start, end, leaves }, at, which, bit) => {
        const size = end + (at % (leaves.length - end + 1));
        const tree = leaves.slice(0, size);
        let sub = rootFromLeafHashes(leaves.slice(start, end));
        let root = rootFromLeafHashes(tree);
        const proof = subtreeConsistencyProof(tree, start, end);
        const target = which % (proof.length + 2);
        if (target < proof.length) proof[target] = flipBit(proof[target]!, bit);
        else if (target === proof.length) sub = flipBit(sub, bit);
        else root = flipBit(root, bit);
        const r = verifySubtreeConsistency(start, end, size, sub, root, proof);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(["subtree-root-mismatch", "root-mismatch"]).toContain(r.code);
      }),
      { numRuns: 400 },
    );
  });

  it("changed bounds or size are accepted exactly when the draft's verification accepts them", () => {
    fc.assert(
      fc.property(
        treeAndSubtree,
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.nat(3),
        ({ start, end, leaves }, at, ds, de, dn, which) => {
          const size = end + (at % (leaves.length - end + 1));
          const tree = leaves.slice(0, size);
          const sub = rootFromLeafHashes(leaves.slice(start, end));
          const root = rootFromLeafHashes(tree);
          const proof = subtreeConsistencyProof(tree, start, end);
          const s2 = which === 0 ? ds % (size + 2) : start;
          const e2 = which === 1 ? de % (size + 3) : end;
          const n2 = which >= 2 ? dn % (2 * size + 3) : size;
          fc.pre(s2 !== start || e2 !== end || n2 !== size);
          fc.pre(s2 !== e2); // the empty subtree is covered below
          const r = verifySubtreeConsistency(s2, e2, n2, sub, root, proof);
          expect(r.ok).toBe(draftVerifySubtreeConsistency(BigInt(s2), BigInt(e2), BigInt(n2), proof, sub, root));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("the empty subtree is consistent with any tree, with an empty proof and the empty root", () => {
    const leaves = leavesOf(12, 9);
    const root = rootFromLeafHashes(leaves);
    for (const s of [0, 1, 4, 9]) {
      expect(verifySubtreeConsistency(s, s, 9, EMPTY_ROOT, root, [])).toEqual(OK);
      expect(verifySubtreeConsistency(s, s, 9, EMPTY_ROOT, leaves[0]!, [])).toEqual(OK); // the tree's root plays no part
      expect(verifySubtreeConsistency(s, s, 9, root, root, [])).toMatchObject({
        ok: false,
        code: "subtree-root-mismatch",
      });
      expect(verifySubtreeConsistency(s, s, 9, EMPTY_ROOT, root, [root])).toMatchObject({
        ok: false,
        code: "wrong-proof-size",
      });
    }
    expect(verifySubtreeConsistency(10, 10, 9, EMPTY_ROOT, root, [])).toMatchObject({
      ok: false,
      code: "sizes-out-of-order",
    });
    expect(subtreeConsistencyProof(leaves, 4, 4)).toEqual([]);
    expect(hexes(subtreeConsistencyProof(leaves, 4n, 6n))).toEqual(hexes(subtreeConsistencyProof(leaves, 4, 6)));
    expect(() => subtreeConsistencyProof(leaves, 4, 10)).toThrow(RangeError);
    expect(() => subtreeInclusionProof(leaves, 3, 4, 6)).toThrow(RangeError);
  });

  it("precise error codes", () => {
    const leaves = leavesOf(13, 13);
    const sub = rootFromLeafHashes(leaves.slice(8, 11));
    const root = rootFromLeafHashes(leaves);
    const proof = subtreeConsistencyProof(leaves, 8, 11);
    expect(verifySubtreeConsistency(8, 11, 13, sub, root, proof)).toEqual(OK);
    expect(verifySubtreeConsistency(6, 11, 13, sub, root, proof)).toMatchObject({ ok: false, code: "invalid-subtree" });
    expect(verifySubtreeConsistency(8, 11, 10, sub, root, proof)).toMatchObject({
      ok: false,
      code: "sizes-out-of-order",
    });
    expect(verifySubtreeConsistency(8, 11, 13, sub, root, [])).toMatchObject({ ok: false, code: "wrong-proof-size" });
    expect(verifySubtreeConsistency(8, 11, 13, sub, root, proof.slice(1))).toMatchObject({
      ok: false,
      code: "wrong-proof-size",
    });
    expect(verifySubtreeConsistency(8, 11, 13, sub, root, [proof[0]!.subarray(3), ...proof.slice(1)])).toMatchObject({
      ok: false,
      code: "invalid-proof-hash",
    });
    expect(verifySubtreeConsistency(8, 11, 13, root, root, proof)).toMatchObject({
      ok: false,
      code: "subtree-root-mismatch",
    });
    expect(verifySubtreeConsistency(8, 11, 13, sub, sub, proof)).toMatchObject({ ok: false, code: "root-mismatch" });
    expect(verifySubtreeConsistency(0, 13, 13, root, root, [])).toEqual(OK);
    expect(verifySubtreeConsistency(0, 13, 13, root, root, [root])).toMatchObject({
      ok: false,
      code: "wrong-proof-size",
    });
    expect(verifySubtreeConsistency(0, 13, 13, sub, root, [])).toMatchObject({ ok: false, code: "root-mismatch" });
    expect(verifySubtreeConsistency(8, 11, -13, sub, root, proof)).toMatchObject({ ok: false, code: "invalid-size" });
  });
});
