import { PassThrough, type Readable, type Writable } from "node:stream";
import { createGzip } from "node:zlib";
import { spawnPiped } from "./child-process.js";

/** Compression settings (config.compression). */
export interface CompressionSettings {
  algorithm: "zstd" | "gzip" | "none";
  level?: number | undefined;
  threads: number;
}

/** A compressor stage: raw dump bytes go into `input`, compressed bytes come out of `output`; `ended` resolves to an error text or undefined. */
export interface Compressor {
  input: Writable;
  output: Readable;
  ended: Promise<string | undefined>;
  kill(): void;
}

/**
 * zstd runs as a child process (`-T0` uses every core: that is how the pipeline beats pg_dump's
 * single-threaded gzip); gzip is Node's zlib (one core, for readers without zstd); none stores pg_dump's
 * bytes as they are. Each output is read by stock tools (zstd -d, gunzip).
 */
export function startCompressor(c: CompressionSettings, env: NodeJS.ProcessEnv): Compressor {
  if (c.algorithm === "zstd") {
    const zstd = spawnPiped("zstd", ["-q", "-c", `-${c.level ?? 3}`, `-T${c.threads}`], env, true);
    zstd.child.stdin!.on("error", () => {
      // EPIPE when zstd dies first: its exit status says why.
    });
    return {
      input: zstd.child.stdin!,
      output: zstd.child.stdout,
      ended: zstd.exit.then((e) =>
        e.error ? `zstd could not run: ${e.error.message} (install zstd, or set compression.algorithm)` : e.code === 0 ? undefined : `zstd failed (${e.signal ?? `exit ${e.code}`}): ${zstd.stderr()}`,
      ),
      kill: () => zstd.kill("SIGKILL"),
    };
  }
  const t = c.algorithm === "gzip" ? createGzip({ level: c.level ?? 6 }) : new PassThrough();
  const ended = new Promise<string | undefined>((resolve) => {
    t.once("end", () => resolve(undefined));
    t.once("close", () => resolve("compression stopped before the end of the dump"));
    t.once("error", (e) => resolve(`compression failed: ${e.message}`));
  });
  return { input: t, output: t, ended, kill: () => t.destroy() };
}

/** The artifact extension's compression part and the predicate's name for it. */
export function compressionName(c: CompressionSettings): "zstd" | "gzip" | "none" {
  return c.algorithm;
}
