import { createHash } from "node:crypto";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { DownloadSink } from "@walwarden/postgres";
import { err, ok, type Result } from "@walwarden/verifier";

/** What was read from the bucket. */
export interface DownloadedArtifact {
  sha256: string;
  bytes: number;
}

/**
 * Streams the artifact from the bucket through SHA-256 into `sink` (the shared decompressing sink, which
 * writes the archive as it arrives). `unavailable`: the bucket could not be read to the end (try again);
 * `interrupted`: `signal` stopped it.
 */
export async function downloadArtifact(
  s3: S3Client,
  bucket: string,
  key: string,
  sink: DownloadSink,
  signal: AbortSignal,
  onBytes: (bytes: number) => void,
): Promise<Result<DownloadedArtifact, "unavailable" | "interrupted" | "sink">> {
  const hash = createHash("sha256");
  let bytes = 0;
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    for await (const chunk of r.Body as AsyncIterable<Uint8Array>) {
      if (signal.aborted) return err("interrupted", "the download was stopped");
      hash.update(chunk);
      bytes += chunk.length;
      try {
        await sink.write(chunk);
      } catch (e) {
        return err("sink", `cannot write the archive: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      onBytes(bytes);
    }
  } catch (e) {
    if (signal.aborted) return err("interrupted", "the download was stopped");
    return err("unavailable", `cannot read s3://${bucket}/${key}: ${(e as Error).message}`);
  }
  return ok({ sha256: hash.digest("hex"), bytes });
}
