// Proof generation over leaf hashes held in memory (MemoryLog, tests, the SPEC's examples). Sizes are
// array lengths, so plain numbers are exact. Asking for a proof that does not exist is a caller bug, so
// these throw a RangeError rather than return a Result.
import { portableSha256, type Sha256 } from "../hash/sha256.js";
import { isValidSubtree } from "./subtree.js";
import { rangeRoot } from "./tree-root.js";
import { toTreeValue } from "./tree-size.js";

/** Largest power of two strictly less than n (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** value as a number, if it is an integer in [min, max]; throws a RangeError otherwise. */
function checkIndex(name: string, value: number | bigint, min: number, max: number): number {
  const v = toTreeValue(value);
  if (v === undefined || v < BigInt(min) || v > BigInt(max))
    throw new RangeError(`${name} ${String(value)} is not an integer in [${min}, ${max}]`);
  return Number(v);
}

/**
 * RFC 9162 inclusion proof (§2.1.3.1, PATH) of leaf `index` in the tree of all `leafHashes`: sibling
 * subtree roots, leaf level first.
 */
export function inclusionProof(
  leafHashes: readonly Uint8Array[],
  index: number | bigint,
  h: Sha256 = portableSha256,
): Uint8Array[] {
  const i = checkIndex("leaf index", index, 0, leafHashes.length - 1);
  return pathInRange(rootsOf(leafHashes, h), i, 0, leafHashes.length);
}

/**
 * The MTH of leaves [from, to) of some tree. Proofs only ever ask for ranges that RFC 9162 splits produce:
 * a power-of-two run aligned to its size, or a right edge [lo, size). A store that keeps the roots of
 * complete subtrees (the Ledger) answers those without reading every leaf.
 */
export type RangeRootOf = (from: number, to: number) => Uint8Array;

/** The range-root oracle of leaf hashes held in memory. */
function rootsOf(leafHashes: readonly Uint8Array[], h: Sha256): RangeRootOf {
  return (from, to) => rangeRoot(leafHashes, from, to, h);
}

/** inclusionProof of leaf `index` in the tree of `size` leaves, reading subtree roots from an oracle. */
export function inclusionProofFrom(rootOf: RangeRootOf, index: number, size: number): Uint8Array[] {
  const i = checkIndex("leaf index", index, 0, size - 1);
  return pathInRange(rootOf, i, 0, size);
}

/** consistencyProof from `size1` to `size` leaves, reading subtree roots from an oracle. */
export function consistencyProofFrom(rootOf: RangeRootOf, size1: number, size: number): Uint8Array[] {
  const m = checkIndex("size1", size1, 0, size);
  if (m === 0) return [];
  return subtreeConsistency(rootOf, 0, m, size);
}

/**
 * Inclusion proof of leaf `index` in the subtree [start, end) of `leafHashes` (transparency-dev/merkle
 * SubtreeInclusion): the inclusion proof of index − start among the subtree's own leaves.
 */
export function subtreeInclusionProof(
  leafHashes: readonly Uint8Array[],
  index: number | bigint,
  start: number | bigint,
  end: number | bigint,
  h: Sha256 = portableSha256,
): Uint8Array[] {
  const e = checkIndex("subtree end", end, 0, leafHashes.length);
  const s = checkIndex("subtree start", start, 0, e);
  if (!isValidSubtree(s, e)) throw new RangeError(`[${s}, ${e}) is not a subtree`);
  const i = checkIndex("leaf index", index, s, e - 1);
  return pathInRange(rootsOf(leafHashes, h), i, s, e);
}

/**
 * RFC 9162 consistency proof (§2.1.4.1, PROOF) from the tree of the first `size1` leaf hashes to the tree
 * of all of them. Empty when size1 is 0 or equals the size: there is nothing to prove (verifyConsistency
 * accepts the equal case and rejects size 0, which callers decide without a proof).
 */
export function consistencyProof(
  leafHashes: readonly Uint8Array[],
  size1: number | bigint,
  h: Sha256 = portableSha256,
): Uint8Array[] {
  const m = checkIndex("size1", size1, 0, leafHashes.length);
  if (m === 0) return [];
  return subtreeConsistency(rootsOf(leafHashes, h), 0, m, leafHashes.length);
}

/**
 * Consistency proof of the subtree [start, end) with the tree of all `leafHashes` (SUBTREE_PROOF of the
 * Merkle Tree Certificates draft, as transparency-dev/merkle SubtreeConsistency). Empty for the empty
 * subtree and for the whole tree.
 */
export function subtreeConsistencyProof(
  leafHashes: readonly Uint8Array[],
  start: number | bigint,
  end: number | bigint,
  h: Sha256 = portableSha256,
): Uint8Array[] {
  const e = checkIndex("subtree end", end, 0, leafHashes.length);
  const s = checkIndex("subtree start", start, 0, e);
  if (!isValidSubtree(s, e)) throw new RangeError(`[${s}, ${e}) is not a subtree`);
  return subtreeConsistency(rootsOf(leafHashes, h), s, e, leafHashes.length);
}

/** SUBTREE_PROOF of [s, e) in the tree of `size` leaves (s, e already checked). */
function subtreeConsistency(rootOf: RangeRootOf, s: number, e: number, size: number): Uint8Array[] {
  if (s === e) return [];
  // SUBTREE_SUBPROOF(start, end, D[lo:hi), known), unrolled: each step keeps the half holding the subtree
  // and records the other half's root; the recursion's own output comes before those roots, so they are
  // emitted innermost first.
  const outer: Uint8Array[] = [];
  let lo = 0;
  let hi = size;
  // SUBTREE_SUBPROOF's `b`: the verifier holds the root of the node [s, e) is descending into, until the
  // subtree straddles a split and that node becomes its right part.
  let known = true;
  while (!(s === 0 && e === hi - lo)) {
    const k = splitPoint(hi - lo);
    if (e <= k) {
      outer.push(rootOf(lo + k, hi));
      hi = lo + k;
    } else {
      // Either the subtree lies in the right half (k ≤ s), or it straddles the split, which a subtree can
      // only do from s = 0, and the verifier no longer holds the root of what remains on the right.
      if (s < k) known = false;
      outer.push(rootOf(lo, lo + k));
      lo += k;
      s = Math.max(0, s - k);
      e -= k;
    }
  }
  const proof = known ? [] : [rootOf(lo, hi)];
  for (let i = outer.length - 1; i >= 0; i--) proof.push(outer[i]!);
  return proof;
}

/** PATH(index, D[lo:hi)): sibling roots from the leaf upwards. */
function pathInRange(rootOf: RangeRootOf, index: number, lo: number, hi: number): Uint8Array[] {
  const topDown: Uint8Array[] = [];
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      topDown.push(rootOf(lo + k, hi));
      hi = lo + k;
    } else {
      topDown.push(rootOf(lo, lo + k));
      lo += k;
    }
  }
  return topDown.reverse();
}
