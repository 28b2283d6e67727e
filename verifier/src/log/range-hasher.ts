import type { Sha256 } from "../hash/sha256.js";

/** Leaf hashes of a run of log entries, and the roots of the aligned blocks of leaves it fully covers. */
export interface HashedRange {
  /** 32 bytes per entry, in order. */
  leaves: Uint8Array;
  /** Blocks hold 2^blockLevel leaves and start at absolute leaf indexes that are multiples of 2^blockLevel. */
  blockLevel: number;
  /** Absolute leaf index of the first block root (meaningless when there are none). */
  firstBlockStart: number;
  /** 32 bytes per block root, in order. */
  blocks: Uint8Array;
}

/**
 * Computes leaf hashes (RFC 9162: SHA-256(0x00 ‖ entry)) for entries stored one per line, and the
 * roots of aligned perfect subtrees, so a compact range can absorb a whole block with one operation.
 * Pluggable so that a Node program can spread the work over threads with native SHA-256.
 */
export interface RangeHasher {
  /**
   * `lineStarts` has n+1 offsets: entry i is `data[lineStarts[i], lineStarts[i+1] - 1)` (the last byte of
   * each line is its newline). `firstIndex` is the absolute leaf index of entry 0.
   */
  hashRange(data: Uint8Array, lineStarts: Uint32Array, firstIndex: number, blockLevel: number): Promise<HashedRange>;
}

/** The first absolute block start at or after `index` for blocks of 2^level leaves. */
export function firstBlockStartAtOrAfter(index: number, level: number): number {
  const size = 2 ** level;
  return Math.ceil(index / size) * size;
}

/**
 * Hashes entries [from, to) of a range into `leaves` (at entry offsets) and the blocks fully inside it
 * into `blocks` (at block offsets counted from `firstBlockStart`). Shared by the portable hasher and by
 * the Node worker threads so both compute exactly the same thing.
 */
export function hashEntriesInto(
  sha: Sha256,
  data: Uint8Array,
  lineStarts: Uint32Array,
  firstIndex: number,
  from: number,
  to: number,
  blockLevel: number,
  firstBlockStart: number,
  leaves: Uint8Array,
  blocks: Uint8Array,
): void {
  for (let i = from; i < to; i++) {
    const line = data.subarray(lineStarts[i]!, lineStarts[i + 1]! - 1);
    leaves.set(sha.digestPrefixed(0x00, line), 32 * i);
  }
  const size = 2 ** blockLevel;
  const scratch: Uint8Array[] = new Array(size);
  for (
    let start = firstBlockStartAtOrAfter(firstIndex + from, blockLevel);
    start + size <= firstIndex + to;
    start += size
  ) {
    const base = start - firstIndex;
    for (let j = 0; j < size; j++) scratch[j] = leaves.subarray(32 * (base + j), 32 * (base + j + 1));
    for (let width = size; width > 1; width /= 2)
      for (let j = 0; j < width / 2; j++) scratch[j] = sha.digestPrefixed(0x01, scratch[2 * j]!, scratch[2 * j + 1]!);
    blocks.set(scratch[0]!, 32 * ((start - firstBlockStart) / size));
  }
}

/** How many aligned blocks of 2^level leaves lie fully inside [index, index + count). */
export function blockCount(index: number, count: number, level: number): number {
  const first = firstBlockStartAtOrAfter(index, level);
  return Math.max(0, Math.floor((index + count - first) / 2 ** level));
}

/** A single-threaded RangeHasher on any Sha256 implementation (portable by default). */
export function singleThreadRangeHasher(sha: Sha256): RangeHasher {
  return {
    async hashRange(data, lineStarts, firstIndex, blockLevel) {
      const n = lineStarts.length - 1;
      const leaves = new Uint8Array(32 * n);
      const firstBlockStart = firstBlockStartAtOrAfter(firstIndex, blockLevel);
      const blocks = new Uint8Array(32 * blockCount(firstIndex, n, blockLevel));
      hashEntriesInto(sha, data, lineStarts, firstIndex, 0, n, blockLevel, firstBlockStart, leaves, blocks);
      return { leaves, blockLevel, firstBlockStart, blocks };
    },
  };
}
