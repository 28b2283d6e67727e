import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { err, ok, type PgDumpPredicate, type Result } from "@walwarden/verifier";
import { describeEnd, runChild } from "./child.js";

/** The compressions this CLI can undo. */
export function canDecompress(c: PgDumpPredicate["compression"]): boolean {
  return c === "zstd" || c === "gzip" || c === "none";
}

/**
 * Decompresses the artifact into `out` for pg_restore (which needs a seekable file to restore in
 * parallel): `zstd -d` for zstd, Node's zlib for gzip; an uncompressed artifact is used in place (the
 * returned path is then `artifact`). `onBytes` is told the output's size about every second.
 */
export async function decompress(
  compression: PgDumpPredicate["compression"],
  artifact: string,
  out: string,
  o: { env: NodeJS.ProcessEnv; signal: AbortSignal; onBytes?: (n: number) => void },
): Promise<Result<string, "decompress" | "interrupted">> {
  if (compression === "none") return ok(artifact);
  const timer = setInterval(() => {
    stat(out).then((s) => o.onBytes?.(s.size), () => {});
  }, 1000);
  try {
    if (compression === "zstd") {
      let stderr = "";
      const end = await runChild("zstd", ["-d", "-q", "-f", "-T0", artifact, "-o", out], { env: o.env, signal: o.signal, onStderrLine: (l) => void (stderr = (stderr + l + "\n").slice(-4000)) });
      if (end.aborted) return err("interrupted", "interrupted while decompressing");
      const failed = describeEnd("zstd -d", end);
      if (failed) return err("decompress", `${failed}${stderr.trim() ? `: ${stderr.trim()}` : ""}`);
    } else if (compression === "gzip") {
      try {
        await pipeline(createReadStream(artifact), createGunzip(), createWriteStream(out), { signal: o.signal });
      } catch (e) {
        if (o.signal.aborted) return err("interrupted", "interrupted while decompressing");
        return err("decompress", `gunzip failed: ${(e as Error).message}`);
      }
    } else return err("decompress", `this backup is ${compression}-compressed, which this CLI cannot decompress`);
    o.onBytes?.((await stat(out)).size);
    return ok(out);
  } finally {
    clearInterval(timer);
  }
}
