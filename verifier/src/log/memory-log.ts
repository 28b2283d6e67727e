import { portableSha256, type Sha256 } from "../hash/sha256.js";
import {
  CompactRange,
  consistencyProof,
  frontierOfLeafHashes,
  inclusionProof,
  leafHash,
  rootFromLeafHashes,
} from "../merkle/index.js";
import { encodeEntry, type LogEntry } from "./entry.js";

/**
 * An append-only log held in memory: the entries' stored bytes and their leaf hashes, with roots,
 * proofs and frontiers for any size. The reference for what the Ledger serves; used by tests,
 * benchmarks and the SPEC's worked examples.
 */
export class MemoryLog {
  readonly entries: Uint8Array[] = [];
  readonly leaves: Uint8Array[] = [];
  private readonly compact: CompactRange;

  constructor(private readonly sha: Sha256 = portableSha256) {
    this.compact = CompactRange.empty(sha);
  }

  /** Number of entries. */
  get size(): number {
    return this.entries.length;
  }

  /** Appends an entry (its seq must be the current size) and returns its stored bytes. */
  append(entry: LogEntry): Uint8Array {
    if (entry.seq !== this.size) throw new RangeError(`entry seq ${entry.seq} appended at ${this.size}`);
    return this.appendBytes(encodeEntry(entry));
  }

  /** Appends stored entry bytes as they are (tests use this to build malformed logs). */
  appendBytes(bytes: Uint8Array): Uint8Array {
    const leaf = leafHash(bytes, this.sha);
    this.entries.push(bytes);
    this.leaves.push(leaf);
    this.compact.append(leaf);
    return bytes;
  }

  /** The root of the tree of the given size (default: now). */
  root(size = this.size): Uint8Array {
    return size === this.size ? this.compact.root() : rootFromLeafHashes(this.leaves.slice(0, size), this.sha);
  }

  /** Inclusion proof of leaf `index` in the tree of `size`. */
  inclusionProof(index: number, size = this.size): Uint8Array[] {
    return inclusionProof(this.leaves.slice(0, size), index, this.sha);
  }

  /** Consistency proof from size m to size n. */
  consistencyProof(m: number, n = this.size): Uint8Array[] {
    return consistencyProof(this.leaves.slice(0, n), m, this.sha);
  }

  /** The frontier (compact range) of the tree of the given size. */
  frontier(size: number): Uint8Array[] {
    return frontierOfLeafHashes(this.leaves, size, this.sha);
  }
}
