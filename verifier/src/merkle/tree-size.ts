// Tree sizes and leaf indexes are unsigned 63-bit values (the largest a checkpoint may carry). JavaScript's
// `>>`, `&` and `|` truncate to 32 bits, and numbers above 2^53 are not exact, so proof verification does
// its bit arithmetic on BigInt. Proofs are verified rarely (a few per bundle), so the cost does not matter;
// the hot path (CompactRange.append) uses plain numbers instead.

/** Largest tree size or leaf index the Merkle functions accept: 2^63 − 1. */
export const MAX_TREE_VALUE = (1n << 63n) - 1n;

/**
 * A size or index as a BigInt, or undefined unless it is a non-negative integer ≤ 2^63 − 1. A number must
 * also be a safe integer (≤ 2^53 − 1): a larger one may already have been rounded, so pass a bigint instead.
 */
export function toTreeValue(value: number | bigint): bigint | undefined {
  if (typeof value === "bigint") return value >= 0n && value <= MAX_TREE_VALUE ? value : undefined;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return undefined;
}

/** Number of bits needed to write x (0 for 0), like Go's bits.Len64. */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Number of set bits of x ≥ 0. */
export function popCount(x: bigint): number {
  let n = 0;
  for (const c of x.toString(2)) if (c === "1") n++;
  return n;
}

/** Number of trailing zero bits of x > 0. */
export function trailingZeros(x: bigint): number {
  let n = 0;
  while ((x & 1n) === 0n && n < 64) {
    x >>= 1n;
    n++;
  }
  return n;
}

/** Bit i (0 = least significant) of x, as 0 or 1. */
export function bitAt(x: bigint, i: number): number {
  return Number((x >> BigInt(i)) & 1n);
}
