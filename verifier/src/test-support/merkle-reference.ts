import { EMPTY_ROOT, nodeHash } from "../merkle/hash.js";

// References written straight from RFC 9162 §2.1.1, independent of the code under test.

/** The largest power of two smaller than n (RFC 9162's k), for n > 1. */
export function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]): the Merkle tree hash of a list of leaf hashes, by the RFC's recursion. */
export function mth(d: readonly Uint8Array[]): Uint8Array {
  if (d.length === 0) return EMPTY_ROOT;
  if (d.length === 1) return d[0]!;
  const k = split(d.length);
  return nodeHash(mth(d.slice(0, k)), mth(d.slice(k)));
}

/** A copy of bytes with one bit flipped (bit is taken modulo the length). */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
  return out;
}

/** An inclusion claim with one bit flipped in one of its parts: a proof hash, the root, or the leaf (by `which`). */
export function flipOneOf(
  proof: readonly Uint8Array[],
  root: Uint8Array,
  leaf: Uint8Array,
  which: number,
  bit: number,
) {
  const target = which % (proof.length + 2);
  const p = [...proof];
  if (target < proof.length) p[target] = flipBit(p[target]!, bit);
  return {
    proof: p,
    root: target === proof.length ? flipBit(root, bit) : root,
    leaf: target === proof.length + 1 ? flipBit(leaf, bit) : leaf,
  };
}
