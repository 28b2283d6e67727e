/** Where download() puts the bytes, in order. */
export interface DownloadSink {
  /** Stores the next bytes; resolves when the sink takes more. Rejects only if it cannot store them (a full disk). */
  write(chunk: Uint8Array): Promise<void>;
  /** Forgets the bytes so far: the download starts over from its first byte. */
  restart(): Promise<void>;
}

/** Both sinks get every byte (the decompressor and the kept download). */
export function teeSink(a: DownloadSink, b: DownloadSink): DownloadSink {
  return {
    write: async (chunk) => void (await Promise.all([a.write(chunk), b.write(chunk)])),
    restart: async () => void (await Promise.all([a.restart(), b.restart()])),
  };
}
