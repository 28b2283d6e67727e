/** Where a download puts the bytes, in order (the CLI's HTTP download, the runner's S3 read). */
export interface DownloadSink {
  /** Stores the next bytes; resolves when the sink takes more. Rejects only if it cannot store them (a full disk). */
  write(chunk: Uint8Array): Promise<void>;
  /** Forgets the bytes so far: the download starts over from its first byte. */
  restart(): Promise<void>;
}
