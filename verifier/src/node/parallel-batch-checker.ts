import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type {
  BatchChecker,
  EntryBatch,
  EntryBatchResult,
  ManifestBatch,
  ManifestBatchResult,
} from "../bundle/batch-checks.js";
import type { BatchTask } from "./batch-checker-worker.js";

/** A BatchChecker on worker threads, to end when done with it. */
export interface ParallelBatchChecker extends BatchChecker {
  /** Ends the threads (they also never keep the process alive while idle). */
  close(): Promise<void>;
}

/**
 * A BatchChecker that spreads the entry batches (parse, canonical form, schema, leaf and block hashes) and
 * the manifest batches (hash, DSSE and Ed25519 signature, statement) over `threads` worker threads (one per
 * core), with native SHA-256 and Ed25519 (nativeEd25519Verify: it may only reject more than the portable
 * verifier). Each thread runs the same functions as the calling thread would, so the results are the same.
 * Batches' bytes are moved to the threads, not copied; the threads start on first use.
 */
export function parallelBatchChecker(threads = availableParallelism()): ParallelBatchChecker {
  const workers: Worker[] = [];
  const idle: Worker[] = [];
  const queue: BatchTask[] = [];
  const waiting = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;

  const spawn = (): Worker => {
    const w = new Worker(new URL("./batch-checker-worker.js", import.meta.url));
    w.on("message", (m: { id: number; result?: unknown; error?: string }) => {
      const p = waiting.get(m.id)!;
      waiting.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
      idle.push(w);
      pump();
    });
    w.on("error", (e) => {
      failure = e;
      for (const p of waiting.values()) p.reject(e);
      waiting.clear();
      queue.length = 0;
    });
    w.unref();
    workers.push(w);
    return w;
  };
  const pump = () => {
    while (queue.length > 0) {
      const w = idle.pop() ?? (workers.length < threads ? spawn() : undefined);
      if (!w) break;
      const t = queue.shift()!;
      // The batch's bytes are its own (the stream cut them for it): moved, not copied.
      w.postMessage(t, [t.batch.bytes.buffer as ArrayBuffer]);
    }
    // A thread with work keeps the process alive; an idle one does not.
    for (const w of workers)
      if (idle.includes(w)) w.unref();
      else w.ref();
  };
  const run = <R>(task: BatchTask): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      if (failure) return reject(failure);
      waiting.set(task.id, { resolve: resolve as (r: unknown) => void, reject });
      queue.push(task);
      pump();
    });
  return {
    parallelism: Math.max(1, threads),
    checkEntries: (batch: EntryBatch) => run<EntryBatchResult>({ id: nextId++, kind: "entries", batch }),
    checkManifests: (batch: ManifestBatch) => run<ManifestBatchResult>({ id: nextId++, kind: "manifests", batch }),
    async close() {
      await Promise.all(workers.splice(0).map((w) => w.terminate()));
      idle.length = 0;
    },
  };
}
