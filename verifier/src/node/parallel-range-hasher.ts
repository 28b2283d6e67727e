import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import {
  blockCount,
  firstBlockStartAtOrAfter,
  singleThreadRangeHasher,
  type RangeHasher,
} from "../log/range-hasher.js";
import { nativeSha256 } from "./native-sha256.js";
import type { RangeTask } from "./range-hasher-worker.js";

/** Below this many entries threads cost more than they save. */
const MIN_PARALLEL_ENTRIES = 50_000;

/**
 * A RangeHasher that spreads leaf and block hashing over worker threads (one per core) using native
 * SHA-256, sharing the entries through a SharedArrayBuffer. Shares are split on block boundaries so
 * each block root is computed by exactly one thread.
 */
export function parallelRangeHasher(threads = availableParallelism()): RangeHasher {
  const single = singleThreadRangeHasher(nativeSha256);
  return {
    async hashRange(data, lineStarts, firstIndex, blockLevel) {
      const n = lineStarts.length - 1;
      if (threads < 2 || n < MIN_PARALLEL_ENTRIES) return single.hashRange(data, lineStarts, firstIndex, blockLevel);
      const shared = new SharedArrayBuffer(data.length);
      new Uint8Array(shared).set(data);
      const starts = new SharedArrayBuffer(lineStarts.byteLength);
      new Uint32Array(starts).set(lineStarts);
      const leaves = new SharedArrayBuffer(32 * n);
      const firstBlockStart = firstBlockStartAtOrAfter(firstIndex, blockLevel);
      const blocks = new SharedArrayBuffer(32 * blockCount(firstIndex, n, blockLevel));
      const cuts = splitOnBlocks(n, firstIndex, blockLevel, threads);
      await Promise.all(
        cuts.slice(0, -1).map((from, i) => {
          const task: RangeTask = {
            data: shared,
            dataLength: data.length,
            lineStarts: starts,
            leaves,
            blocks,
            firstIndex,
            from,
            to: cuts[i + 1]!,
            blockLevel,
            firstBlockStart,
          };
          return runTask(task);
        }),
      );
      return { leaves: new Uint8Array(leaves), blockLevel, firstBlockStart, blocks: new Uint8Array(blocks) };
    },
  };
}

/** Entry offsets that cut [0, n) into about `parts` shares, each cut on an absolute block boundary. */
function splitOnBlocks(n: number, firstIndex: number, level: number, parts: number): number[] {
  const size = 2 ** level;
  const cuts = [0];
  for (let p = 1; p < parts; p++) {
    const target = firstIndex + Math.floor((n * p) / parts);
    const cut = Math.min(firstIndex + n, Math.max(firstIndex, Math.round(target / size) * size)) - firstIndex;
    if (cut > cuts[cuts.length - 1]!) cuts.push(cut);
  }
  if (cuts[cuts.length - 1] !== n) cuts.push(n);
  return cuts;
}

function runTask(task: RangeTask): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./range-hasher-worker.js", import.meta.url));
    worker.once("message", () => {
      void worker.terminate();
      resolve();
    });
    worker.once("error", reject);
    worker.postMessage(task);
  });
}
