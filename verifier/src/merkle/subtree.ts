import { bitLength, toTreeValue, trailingZeros } from "./tree-size.js";

/**
 * True when [start, end) is a subtree in the sense of transparency-dev/merkle and the Merkle Tree
 * Certificates draft: start ≤ end, and start is 0 or a multiple of the smallest power of two ≥ end − start,
 * so the leaves sit under one node of every tree that contains them, with nothing of that node to their
 * left. The empty range [start, start) counts as a subtree (of nothing). Bounds as in toTreeValue.
 */
export function isValidSubtree(start: number | bigint, end: number | bigint): boolean {
  const s = toTreeValue(start);
  const e = toTreeValue(end);
  return s !== undefined && e !== undefined && isSubtree(s, e);
}

/** isValidSubtree on already-checked BigInt bounds. */
export function isSubtree(start: bigint, end: bigint): boolean {
  if (start > end) return false;
  if (start === 0n || start === end) return true;
  // bit_ceil(end − start) = 2^bitLength(end − start − 1); start is a multiple of it iff it has at least
  // that many trailing zeros (comparing bit counts never builds 2^64).
  return trailingZeros(start) >= bitLength(end - start - 1n);
}
