import type { DownloadSink } from "@walwarden/postgres";

/** Where download() puts the bytes, in order (the interface is @walwarden/postgres's, shared with the runner's drills). */
export type { DownloadSink };

/** Both sinks get every byte (the decompressor and the kept download). */
export function teeSink(a: DownloadSink, b: DownloadSink): DownloadSink {
  return {
    write: async (chunk) => void (await Promise.all([a.write(chunk), b.write(chunk)])),
    restart: async () => void (await Promise.all([a.restart(), b.restart()])),
  };
}
