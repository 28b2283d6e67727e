import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type BackupKit, err, kitObjectKey, ok, type Result } from "@walwarden/verifier";

/** A kit as read from the bucket: parsed for backupKitReport, and the manifest's exact bytes (their SHA-256 is the log's). */
export interface ReadKit {
  kit: BackupKit;
  manifestBytes: Uint8Array;
}

/**
 * Why the kit could not be read: a file is missing or is not JSON (`missing`: the backup's own fault, a
 * failed receipt), or the bucket could not be read (`unavailable`: try again).
 */
export type ReadKitErrorCode = "missing" | "unavailable";

/** Objects larger than this are not a kit file (a manifest of 10,000 tables is a few MB). */
const MAX_KIT_FILE_BYTES = 64 * 1024 * 1024;

/** Reads manifest.json, entry.json, proof.json and checkpoint.txt next to the artifact (SPEC §10). */
export async function readKit(
  s3: S3Client,
  bucket: string,
  artifactKey: string,
): Promise<Result<ReadKit, ReadKitErrorCode>> {
  const files = {} as Record<"manifest" | "entry" | "proof" | "checkpoint", Uint8Array>;
  for (const file of ["manifest", "entry", "proof", "checkpoint"] as const) {
    const key = kitObjectKey(artifactKey, file);
    try {
      const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((r.ContentLength ?? 0) > MAX_KIT_FILE_BYTES)
        return err("missing", `${key} is ${r.ContentLength} bytes: not a kit file`);
      files[file] = await r.Body!.transformToByteArray();
    } catch (e) {
      const name = (e as { name?: string }).name;
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (name === "NoSuchKey" || status === 404) return err("missing", `the kit file ${key} is not in the bucket`);
      return err("unavailable", `cannot read ${key} from the bucket: ${(e as Error).message}`);
    }
  }
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  let envelope: unknown;
  let proof: unknown;
  try {
    envelope = JSON.parse(text(files.manifest));
    proof = JSON.parse(text(files.proof));
  } catch {
    return err("missing", "the kit's manifest.json or proof.json is not JSON");
  }
  return ok({
    kit: { envelope, entry: text(files.entry), proof, checkpoint: text(files.checkpoint) },
    manifestBytes: files.manifest,
  });
}
