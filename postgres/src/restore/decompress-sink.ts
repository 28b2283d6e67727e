import { spawn } from "node:child_process";
import { createWriteStream, rmSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { PassThrough, Transform, type Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { err, ok, type PgDumpPredicate, type Result } from "@walwarden/verifier";
import type { DownloadSink } from "./download-sink.js";
import { ArchiveIndexer, type ArchivePatch } from "./archive-index.js";

/** The compressions a restore can undo (the CLI, a drill). */
export function canDecompress(c: PgDumpPredicate["compression"]): boolean {
  return c === "zstd" || c === "gzip" || c === "none";
}

/** The archive pg_restore reads, decompressed. */
export interface DecompressedArchive {
  path: string;
  bytes: number;
  /** TOC entries whose data offset was set (0: the archive had them, or was not understood: see ArchiveIndexer). */
  offsetsSet: number;
}

/** A download decompressed into a file as it arrives. */
export interface DecompressSink extends DownloadSink {
  /** After the last byte: waits for the decompressor and the file, then sets the archive's data offsets. */
  finish(): Promise<Result<DecompressedArchive, "decompress">>;
  /** Stops the decompressor and closes the file (a failed or interrupted download); idempotent. */
  abort(): Promise<void>;
}

/** One decompression from the first byte on (a download that starts over gets a new one). */
interface Chain {
  input: Writable;
  /** The first thing that went wrong, if anything did. */
  failure: string | undefined;
  /** Settles when the archive is written or the chain failed. */
  done: Promise<void>;
  indexer: ArchiveIndexer;
  bytes: number;
  stop(): void;
}

/**
 * Decompresses the download into `out` while it arrives: `zstd -d` writing the file, Node's zlib for
 * gzip, and an uncompressed download is written as it is; pg_restore --jobs needs a seekable file. Each
 * byte of the archive also goes past an ArchiveIndexer (zstd's output is read back as it grows), and
 * finish() sets the TOC's data offsets a dump written to a pipe lacks (unless `setOffsets` is false: an
 * uncompressed download that is kept as downloaded). A decompressor that fails does not stop the
 * download: the rest of the bytes are still hashed, and finish() says what failed (after verification,
 * so that a tampered download is reported as such).
 */
export function decompressSink(
  compression: "zstd" | "gzip" | "none",
  out: string,
  o: { env: NodeJS.ProcessEnv; setOffsets: boolean },
): DecompressSink {
  let chain = startChain(compression, out, o.env);
  let finished: Promise<Result<DecompressedArchive, "decompress">> | undefined;
  const stopChain = async (c: Chain) => {
    c.failure ??= "stopped";
    c.stop();
    await c.done;
  };
  return {
    async write(chunk) {
      const c = chain;
      if (c.failure !== undefined || c.input.destroyed) return;
      if (!c.input.write(chunk) && !c.input.destroyed) await drained(c.input);
    },
    async restart() {
      await stopChain(chain);
      chain = startChain(compression, out, o.env);
    },
    finish() {
      finished ??= (async () => {
        const c = chain;
        if (c.failure === undefined) c.input.end();
        else c.stop(); // a zstd whose output failed may still wait for input
        await c.done;
        if (c.failure !== undefined) return err("decompress", c.failure);
        const index = c.indexer.finish();
        const patches = o.setOffsets && index.ok ? index.patches : [];
        if (patches.length) {
          try {
            await writePatches(out, patches);
          } catch (e) {
            return err(
              "decompress",
              `cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
            );
          }
        }
        return ok({ path: out, bytes: c.bytes, offsetsSet: patches.length });
      })();
      return finished;
    },
    async abort() {
      if (!finished) await stopChain(chain);
      else await finished;
    },
  };
}

function startChain(compression: "zstd" | "gzip" | "none", out: string, env: NodeJS.ProcessEnv): Chain {
  const indexer = new ArchiveIndexer();
  const c: Chain = {
    input: new PassThrough(),
    failure: undefined,
    done: Promise.resolve(),
    indexer,
    bytes: 0,
    stop: () => {},
  };
  const fail = (why: string) => void (c.failure ??= why);
  if (compression === "zstd") return startZstd(c, out, env, fail);
  const index = new Transform({
    transform(chunk: Buffer, _enc, done) {
      indexer.feed(chunk);
      c.bytes += chunk.length;
      done(null, chunk);
    },
  });
  const file = createWriteStream(out);
  file.on("error", (e: NodeJS.ErrnoException) => fail(`cannot write ${out}: ${e.code ?? e.message}`));
  let source: Readable;
  if (compression === "gzip") {
    const gunzip = createGunzip();
    gunzip.on("error", (e) => fail(`gunzip failed: ${e.message}`));
    c.input = gunzip;
    source = gunzip;
    c.stop = () => gunzip.destroy(new Error("stopped"));
  } else {
    const direct = c.input as PassThrough;
    direct.on("error", () => {}); // only destroy() errors it: the chain is stopped then
    source = direct;
    c.stop = () => direct.destroy(new Error("stopped"));
  }
  c.done = pipeline(source, index, file).catch((e: Error) => fail(e.message));
  return c;
}

/**
 * zstd -d writes the file itself (the bytes do not come back through Node), and the file is read as it
 * grows to index it: the least copying, and the indexing ends right after zstd does.
 */
function startZstd(c: Chain, out: string, env: NodeJS.ProcessEnv, fail: (why: string) => void): Chain {
  // zstd -f replaces a file that is there by unlinking it: remove it first, so the follower opens zstd's.
  rmSync(out, { force: true });
  const zstd = spawn("zstd", ["-d", "-q", "-f", "--no-sparse", "-o", out], { env, stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  zstd.stderr.setEncoding("utf8").on("data", (s: string) => void (stderr = (stderr + s).slice(-4000)));
  let inputError: string | undefined;
  // Writing to a zstd that exited fails (EPIPE): its exit status says why, so this is the last resort.
  zstd.stdin.on("error", (e) => void (inputError ??= `cannot feed the decompressor: ${e.message}`));
  c.input = zstd.stdin;
  let stopped = false;
  c.stop = () => {
    stopped = true;
    zstd.kill("SIGKILL");
    zstd.stdin.destroy();
  };
  const exited = new Promise<void>((resolve) => {
    zstd.once("error", (e) => {
      fail(`zstd could not run: ${e.message}`);
      resolve();
    });
    zstd.once("close", (code, signal) => {
      if (code !== 0)
        fail(
          `zstd -d failed (${signal ? `killed by ${signal}` : `exit ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ""}`,
        );
      resolve();
    });
  });
  const indexed = follow(
    out,
    exited,
    () => stopped || c.failure !== undefined,
    (chunk) => {
      c.indexer.feed(chunk);
      c.bytes += chunk.length;
    },
  ).catch((e: NodeJS.ErrnoException) => fail(`cannot read ${out}: ${e.code ?? e.message}`));
  c.done = Promise.all([exited, indexed]).then(() => {
    if (inputError !== undefined) fail(inputError);
  });
  return c;
}

/** How long the follower waits when it has caught up with the writer. */
const FOLLOW_POLL_MS = 10;

/**
 * Reads `path` from its start as another process writes it, handing each piece to `onBytes`, until the
 * writer has exited (`exited`) and the end is reached, or `stop()` says to give up.
 */
async function follow(
  path: string,
  exited: Promise<void>,
  stop: () => boolean,
  onBytes: (chunk: Buffer) => void,
): Promise<void> {
  let writerDone = false;
  void exited.then(() => (writerDone = true));
  const pause = () => Promise.race([exited, sleep(FOLLOW_POLL_MS)]);
  let fh: FileHandle | undefined;
  while (!fh) {
    const last = writerDone;
    try {
      fh = await open(path, "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      if (last || stop()) return; // the writer never created it: its exit status says why
      await pause();
    }
  }
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; !stop(); ) {
      const last = writerDone;
      const { bytesRead } = await fh.read(buf, 0, buf.length, at);
      if (bytesRead > 0) {
        onBytes(buf.subarray(0, bytesRead));
        at += bytesRead;
      } else if (last) return;
      else await pause();
    }
  } finally {
    await fh.close();
  }
}

/** Resolves once `w` takes more, or can take nothing more (closed, failed). */
function drained(w: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      w.off("drain", done);
      w.off("close", done);
      w.off("error", done);
      resolve();
    };
    w.on("drain", done);
    w.on("close", done);
    w.on("error", done);
  });
}

/** Writes each patch into the file at its position. */
async function writePatches(path: string, patches: ArchivePatch[]): Promise<void> {
  const fh = await open(path, "r+");
  try {
    for (const p of patches) await fh.write(p.bytes, 0, p.bytes.length, p.position);
  } finally {
    await fh.close();
  }
}
