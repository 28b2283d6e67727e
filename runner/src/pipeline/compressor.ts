import { PassThrough, type Readable, type Writable } from "node:stream";
import { createGzip } from "node:zlib";
import { spawnPiped } from "./child-process.js";

/** Compression settings (config.compression). */
export interface CompressionSettings {
  algorithm: "zstd" | "gzip" | "none";
  level?: number | undefined;
  threads: number;
}

/**
 * A compressor stage: compressed bytes come out of `output`; `ended` resolves to an error text or
 * undefined. zstd reads pg_dump's stdout directly (the raw dump never passes through Node: half the
 * runner's CPU went to copying it); Node's own compressors take it through `input`.
 */
export interface Compressor {
  /** Where to write the raw dump, or undefined if the compressor reads it from the source itself. */
  input: Writable | undefined;
  output: Readable;
  ended: Promise<string | undefined>;
  kill(): void;
}

/**
 * zstd runs as a child process (`-T0` uses every core: that is how the pipeline beats pg_dump's
 * single-threaded gzip); gzip is Node's zlib (one core, for readers without zstd); none stores pg_dump's
 * bytes as they are. Each output is read by stock tools (zstd -d, gunzip).
 */
export function startCompressor(c: CompressionSettings, env: NodeJS.ProcessEnv, source: Readable): Compressor {
  if (c.algorithm === "zstd") {
    const zstd = spawnPiped("zstd", ["-q", "-c", `-${c.level ?? ZSTD_DEFAULT_LEVEL}`, `-T${c.threads}`], env, source);
    return {
      input: undefined,
      output: zstd.child.stdout,
      ended: zstd.exit.then((e) =>
        e.error
          ? `zstd could not run: ${e.error.message} (install zstd, or set compression.algorithm)`
          : e.code === 0
            ? undefined
            : `zstd failed (${e.signal ?? `exit ${e.code}`}): ${zstd.stderr()}`,
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

/**
 * zstd level 2: on realistic dumps (bench/backup) about the size of pg_dump -Fc's gzip, for three quarters
 * of level 3's CPU (the pipeline is CPU-bound on small machines).
 */
export const ZSTD_DEFAULT_LEVEL = 2;
