import { createHash } from "node:crypto";
import { Transform, type Readable } from "node:stream";
import { failureOf, spawnPiped } from "./child-process.js";
import type { DumpCommand } from "../pg/dump-command.js";
import { startCompressor, type CompressionSettings } from "./compressor.js";

/** What the finished stream measured: SHA-256 and size of the stored (compressed) bytes, and pg_dump's raw bytes if they passed through Node. */
export interface DumpMeasures {
  sha256: string;
  storedBytes: number;
  rawBytes: number | null;
}

/** A running pg_dump → compressor → SHA-256 stream. */
export interface DumpPipeline {
  /** The bytes to store. It errors (instead of ending) if pg_dump or the compressor fails, so no upload completes. */
  body: Readable;
  /** Resolves with the measures once `body` has ended cleanly; rejects with pg_dump's error text otherwise. */
  measures: Promise<DumpMeasures>;
  /** Bytes to store produced so far (compressed). */
  storedBytes(): number;
  /** Stops pg_dump and the compressor; `body` errors with `reason`. */
  cancel(reason: string): void;
}

/**
 * Starts pg_dump (uncompressed custom format on stdout) piped through the compressor and a hashing stage.
 * Memory is bounded by stream buffers: nothing is written to disk. The hashing stage holds back its end
 * until pg_dump and the compressor have exited: if either failed, the body errors instead, so a reader
 * (the S3 upload) never sees a clean end of a truncated dump.
 */
export function startDumpPipeline(cmd: DumpCommand, compression: CompressionSettings): DumpPipeline {
  const dump = spawnPiped(cmd.pgDumpPath, cmd.args, cmd.env, "ignore");
  const compressor = startCompressor(compression, cmd.env, dump.child.stdout);
  let raw: number | null = null;
  let stored = 0;
  let cancelled: string | undefined;
  const hash = createHash("sha256");

  if (compressor.input) {
    raw = 0;
    dump.child.stdout.on("data", (chunk: Buffer) => {
      raw! += chunk.length;
    });
    dump.child.stdout.pipe(compressor.input);
  } else {
    // The compressor has its own copy of pg_dump's stdout (spawn returns after exec); closing ours means
    // nothing in this process can ever read, and so steal, bytes of the dump.
    dump.child.stdout.destroy();
  }

  const failure = async (): Promise<string | undefined> => {
    const ended = await dump.exit;
    if (cancelled) return cancelled;
    const dumpFailure = failureOf("pg_dump", ended, dump.stderr());
    if (dumpFailure) return dumpFailure;
    return compressor.ended;
  };

  let resolveMeasures!: (m: DumpMeasures) => void;
  let rejectMeasures!: (e: Error) => void;
  const measures = new Promise<DumpMeasures>((res, rej) => {
    resolveMeasures = res;
    rejectMeasures = rej;
  });
  measures.catch(() => {});

  const body = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      stored += chunk.length;
      cb(null, chunk);
    },
    flush(cb) {
      failure().then((why) => {
        if (why) {
          rejectMeasures(new Error(why));
          cb(new Error(why));
        } else {
          resolveMeasures({ sha256: hash.digest("hex"), storedBytes: stored, rawBytes: raw });
          cb();
        }
      }, cb);
    },
  });
  compressor.output.pipe(body);
  // If the compressor or pg_dump dies before the output ends, fail the body now rather than hang.
  compressor.output.once("error", (e) => body.destroy(e));
  failure().then((why) => {
    if (why && !body.destroyed) {
      rejectMeasures(new Error(why));
      compressor.kill();
      body.destroy(new Error(why));
    }
  });
  body.once("error", (e) => rejectMeasures(e));

  return {
    body,
    measures,
    storedBytes: () => stored,
    cancel(reason) {
      if (cancelled) return;
      cancelled = reason;
      dump.kill("SIGTERM");
      compressor.kill();
      rejectMeasures(new Error(reason));
      body.destroy(new Error(reason));
    },
  };
}
