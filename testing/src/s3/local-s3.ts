// A local S3: @20minutes/s3rver 5.0.0 in-process on loopback (it checks SigV4 signatures and presign expiry,
// which the original s3rver does not), patched and extended (s3rver.ts, multipart-uploads.ts).
//
// What it still does NOT do (checked with @aws-sdk/client-s3 3.1175 in local-s3.test.ts and s3rver's
// lib/routes.js; the runner must not rely on these against it, and tests must not assert them):
//  - ListParts (GET /bucket/key?uploadId=): 405 MethodNotAllowed.
//  - CompleteMultipartUpload checks neither the parts' ETags nor the 5 MiB minimum part size. Naming a part
//    that was never uploaded is not InvalidPart: s3rver's putObjectMultipart opens it unguarded, and the
//    ENOENT is an unhandled 'error' event that kills the process.
//    The object's ETag is the MD5 of the whole object, not S3's "<md5 of part md5s>-<part count>".
//  - No versioning, Object Lock, lifecycle, encryption or bucket policy (501 NotImplemented), and no
//    x-amz-checksum-* validation: configure clients with requestChecksumCalculation and
//    responseChecksumValidation "WHEN_REQUIRED" (localS3Client does).
// Checked to work (with the patches): PutObject, GetObject, HeadObject, HeadBucket, DeleteObject,
// DeleteObjects, ListObjectsV2, CopyObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
// ListMultipartUploads, AbortMultipartUpload, and lib-storage's Upload (including its abort on failure), and
// presigned GETs (SigV4 query signatures and X-Amz-Expires, lib/signature/v4.js; the CLI's tests use them).
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { loadS3rver } from "./s3rver.js";

/** A running s3rver. */
export interface LocalS3 {
  endpoint: string;
  region: "us-east-1";
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Where s3rver keeps the objects (and, in `<bucket>/._S3rver_uploads/<uploadId>/`, the open multipart uploads' parts). */
  dir: string;
  /** Closes the server (and its idle keep-alive connections) and removes its files. */
  stop(): Promise<void>;
}

// The servers live in this process and die with it; their files should not outlive it either.
const liveDirs = new Set<string>();
process.on("exit", () => {
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
});

/** s3rver's built-in account (lib/models/account.js): the only credentials it accepts. */
export const S3RVER_CREDENTIALS = Object.freeze({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });

/** Starts s3rver on 127.0.0.1 (a free port) over a fresh temp dir, with `bucket` (default "walwarden-test") created. */
export async function startS3({ bucket = "walwarden-test" }: { bucket?: string } = {}): Promise<LocalS3> {
  const S3rver = loadS3rver();
  const dir = mkdtempSync(join(tmpdir(), "walwarden-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true, // it logs every request through winston otherwise
    directory: dir,
    vhostBuckets: false, // path style only: the runner uses forcePathStyle, and 127.0.0.1 has no subdomains
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  liveDirs.add(dir);
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (e) {
    liveDirs.delete(dir);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    region: "us-east-1",
    bucket,
    ...S3RVER_CREDENTIALS,
    dir,
    stop: () =>
      (stopped ??= (async () => {
        server.httpServer?.closeAllConnections?.();
        await server.close().catch(() => {});
        liveDirs.delete(dir);
        rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      })()),
  };
}

/**
 * An AWS SDK client for a local S3 started by startS3 (directly, not through a proxy): path-style, its
 * credentials, and checksums only where required (s3rver does not know the newer checksum headers).
 */
export function localS3Client(local: {
  region: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}): S3Client {
  return new S3Client({
    region: local.region,
    endpoint: local.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: local.accessKeyId, secretAccessKey: local.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
