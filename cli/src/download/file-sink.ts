import { open } from "node:fs/promises";
import { err, ok, type Result } from "@walwarden/verifier";
import type { DownloadSink } from "./sink.js";

/** A download written to a file. */
export interface FileSink extends DownloadSink {
  /** Closes the file, flushed to disk first if `sync` (a download that is kept). */
  close(sync: boolean): Promise<void>;
}

/** Creates (or empties) `path` for a download. */
export async function fileSink(path: string): Promise<Result<FileSink, "download">> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, "w");
  } catch (e) {
    return err(
      "download",
      `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (choose another --download-dir)`,
    );
  }
  let at = 0;
  let closed = false;
  return ok({
    async write(chunk) {
      for (let done = 0; done < chunk.length; ) {
        const { bytesWritten } = await fh.write(chunk, done, chunk.length - done, at);
        done += bytesWritten;
        at += bytesWritten;
      }
    },
    async restart() {
      await fh.truncate(0);
      at = 0;
    },
    async close(sync) {
      if (closed) return;
      closed = true;
      try {
        if (sync) await fh.sync();
      } finally {
        await fh.close().catch(() => {});
      }
    },
  });
}
