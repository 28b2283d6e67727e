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
