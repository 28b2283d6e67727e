import { portableSha256, type Sha256 } from "../hash/sha256.js";
import { err, ok, type Result } from "../result.js";
import { EMPTY_ROOT, HASH_SIZE, nodeHash } from "./hash.js";
import { popCount, toTreeValue } from "./tree-size.js";

/** A tree of up to 2^53 − 1 leaves has at most 53 perfect subtrees on its frontier. */
const MAX_FRONTIER = 53;

/** Why a frontier or a subtree cannot be taken into a compact range. */
export type CompactRangeErrorCode =
  /** The size is negative, fractional, or above 2^53 − 1 (the most a compact range holds). */
  | "invalid-size"
  /** The number of frontier hashes is not popcount(size). */
  | "wrong-hash-count"
  /** A hash is not 32 bytes. */
  | "invalid-hash"
  /** A subtree level is not an integer in [0, 52]. */
  | "invalid-level"
  /** The current size is not a multiple of the subtree's 2^level leaves. */
  | "misaligned-subtree"
  /** Appending would take the size past 2^53 − 1. */
  | "size-overflow";

/**
 * The compact range [0, size) of an RFC 9162 tree, also called its left frontier: the roots of the maximal
 * perfect subtrees that cover leaves [0, size), largest (leftmost) first, one per set bit of size. It is
 * all that is needed to keep appending leaves and to compute the root at any later size, so an evidence
 * bundle proves a window [a, b) complete by the frontier at a plus every leaf in [a, b) reproducing the
 * signed root at b.
 *
 * `size` is a number, exact up to 2^53 − 1 leaves (the most a compact range accepts). Appending is
 * amortised O(1) hashes with no allocation beyond the hashes themselves: the frontier lives in one
 * preallocated buffer and the size arithmetic stays on plain numbers.
 */
export class CompactRange {
  private count = 0;
  private current = 0;
  // Frontier hash i lives at store[32i, 32i + 32); slots[i] is a fixed view on it.
  private readonly store = new Uint8Array(MAX_FRONTIER * HASH_SIZE);
  private readonly slots: Uint8Array[] = [];

  private constructor(private readonly h: Sha256) {
    for (let i = 0; i < MAX_FRONTIER; i++) this.slots.push(this.store.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  }

  /** The compact range of the empty tree. */
  static empty(h: Sha256 = portableSha256): CompactRange {
    return new CompactRange(h);
  }

  /**
   * The compact range of a tree of `size` leaves from its frontier hashes (largest subtree first). Checks
   * the shape only (popcount(size) hashes of 32 bytes): whether they are the right hashes shows when the
   * root computed from them is compared with a signed one.
   */
  static fromFrontier(
    size: number | bigint,
    hashes: readonly Uint8Array[],
    h: Sha256 = portableSha256,
  ): Result<CompactRange, CompactRangeErrorCode> {
    const n = toTreeValue(size);
    if (n === undefined || n > BigInt(Number.MAX_SAFE_INTEGER))
      return err("invalid-size", `a compact range holds 0 to 2^53 - 1 leaves, not ${String(size)}`);
    const want = popCount(n);
    if (hashes.length !== want)
      return err("wrong-hash-count", `a tree of ${n} leaves has ${want} frontier hashes, got ${hashes.length}`);
    const range = new CompactRange(h);
    for (let i = 0; i < hashes.length; i++) {
      const hash = hashes[i];
      if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE)
        return err("invalid-hash", `frontier hash ${i} is not ${HASH_SIZE} bytes`);
      range.slots[i]!.set(hash);
    }
    range.count = want;
    range.current = Number(n);
    return ok(range);
  }

  /** Number of leaves covered, [0, size); a safe integer. */
  get size(): number {
    return this.current;
  }

  /**
   * Appends one leaf hash. Throws a RangeError if it is not 32 bytes or the range already holds 2^53 − 1
   * leaves: both are caller bugs (leaf hashes come from leafHash), not properties of the data.
   */
  append(leafHash: Uint8Array): void {
    if (leafHash.length !== HASH_SIZE)
      throw new RangeError(`leaf hash must be ${HASH_SIZE} bytes, got ${leafHash.length}`);
    if (this.current >= Number.MAX_SAFE_INTEGER) throw new RangeError("compact range is full (2^53 - 1 leaves)");
    this.push(leafHash, this.current);
    this.current += 1;
  }

  /**
   * Appends the root of a perfect subtree of 2^level leaves, which must start at the current size (so the
   * size must be a multiple of 2^level). Equivalent to appending its leaves one by one, for one hash
   * per merged level instead of 2^level.
   */
  appendSubtree(level: number, hash: Uint8Array): Result<true, CompactRangeErrorCode> {
    if (!Number.isInteger(level) || level < 0 || level > 52)
      return err("invalid-level", `subtree level must be an integer in [0, 52], got ${level}`);
    if (hash.length !== HASH_SIZE)
      return err("invalid-hash", `subtree hash must be ${HASH_SIZE} bytes, got ${hash.length}`);
    const width = 2 ** level;
    if (this.current % width !== 0)
      return err("misaligned-subtree", `a subtree of 2^${level} leaves cannot start at leaf ${this.current}`);
    if (this.current + width > Number.MAX_SAFE_INTEGER)
      return err("size-overflow", `appending 2^${level} leaves to ${this.current} exceeds 2^53 - 1`);
    this.push(hash, this.current / width);
    this.current += width;
    return ok(true);
  }

  /** The RFC 9162 root of the tree of `size` leaves: the frontier folded from the right (EMPTY_ROOT when empty). */
  root(): Uint8Array {
    if (this.count === 0) return EMPTY_ROOT.slice();
    let acc = this.slots[this.count - 1]!;
    if (this.count === 1) return acc.slice();
    for (let i = this.count - 2; i >= 0; i--) acc = nodeHash(this.slots[i]!, acc, this.h);
    return acc;
  }

  /** Copies of the frontier hashes, largest subtree first (popcount(size) of them). */
  frontier(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.slots[i]!.slice());
    return out;
  }

  /**
   * Pushes a subtree root whose index among the subtrees of its level is `position`. Every odd position
   * (a set low bit) means the last frontier hash is its left sibling, so they merge and carry upwards,
   * exactly like binary addition. `% 2` and `/ 2` rather than bit operators: positions exceed 2^32.
   */
  private push(hash: Uint8Array, position: number): void {
    let n = this.count;
    let carry = hash;
    while (position % 2 === 1) {
      n--;
      carry = nodeHash(this.slots[n]!, carry, this.h);
      position = (position - 1) / 2;
    }
    this.slots[n]!.set(carry);
    this.count = n + 1;
  }
}

/**
 * The frontier (compact range hashes, largest subtree first) of the tree made of the first `size` leaf
 * hashes. Throws a RangeError if size is not an integer in [0, leafHashes.length].
 */
export function frontierOfLeafHashes(
  leafHashes: readonly Uint8Array[],
  size: number | bigint = leafHashes.length,
  h: Sha256 = portableSha256,
): Uint8Array[] {
  const m = toTreeValue(size);
  if (m === undefined || m > BigInt(leafHashes.length))
    throw new RangeError(`size ${String(size)} is not an integer in [0, ${leafHashes.length}]`);
  const range = CompactRange.empty(h);
  for (let i = 0; i < Number(m); i++) range.append(leafHashes[i]!);
  return range.frontier();
}
