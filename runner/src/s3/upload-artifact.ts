import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { Readable } from "node:stream";

/** Where the artifact went: what the manifest records. */
export interface StoredObject {
  etag: string;
  versionId: string | null;
}

/** An artifact upload in progress. */
export interface ArtifactUpload {
  /** Resolves when the object exists (multipart completed); rejects if the body errored or S3 refused, after aborting the upload. */
  done: Promise<StoredObject>;
  /** Stored bytes acknowledged by S3 so far. */
  uploadedBytes(): number;
  /** Cancels requests in flight; `done` then rejects (and the upload is aborted). */
  cancel(): void;
}

/** Settings of one artifact upload. */
export interface UploadSettings {
  bucket: string;
  key: string;
  partSize: number;
  /** Parts in flight at once; memory is about (queueSize + 1) × partSize. */
  queueSize: number;
  contentType: string;
  objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; retainUntil: Date } | undefined;
  metadata: Record<string, string>;
}

/**
 * Streams `body` to S3 (@aws-sdk/lib-storage: one PUT if it fits in a part, else a multipart upload with
 * `queueSize` parts in flight). The SDK retries each part with backoff on 5xx and SlowDown. If the body
 * errors (pg_dump failed) or S3 keeps failing, the multipart upload is aborted (and again explicitly,
 * in case the library's own abort was cut short), so no object and no orphaned parts remain.
 */
export function uploadArtifact(client: S3Client, body: Readable, s: UploadSettings): ArtifactUpload {
  let uploaded = 0;
  const upload = new Upload({
    client,
    queueSize: s.queueSize,
    partSize: s.partSize,
    leavePartsOnError: false,
    params: {
      Bucket: s.bucket,
      Key: s.key,
      Body: body,
      ContentType: s.contentType,
      Metadata: s.metadata,
      ...(s.objectLock
        ? { ObjectLockMode: s.objectLock.mode, ObjectLockRetainUntilDate: s.objectLock.retainUntil }
        : {}),
    },
  });
  upload.on("httpUploadProgress", (p) => {
    if (typeof p.loaded === "number") uploaded = p.loaded;
  });
  const done = upload.done().then(
    (r) => ({ etag: r.ETag ?? "", versionId: r.VersionId ?? null }),
    async (e: unknown) => {
      const uploadId = upload.uploadId;
      if (uploadId)
        await client
          .send(new AbortMultipartUploadCommand({ Bucket: s.bucket, Key: s.key, UploadId: uploadId }))
          .catch(() => {});
      throw e;
    },
  );
  return { done, uploadedBytes: () => uploaded, cancel: () => void upload.abort() };
}

/** Aborts every open multipart upload whose key is `key` exactly (after a crash: the journal's keys). Returns how many. */
export async function abortUploadsOf(client: S3Client, bucket: string, key: string): Promise<number> {
  let n = 0;
  for (const u of await listUploads(client, bucket, key)) {
    if (u.Key !== key || !u.UploadId) continue;
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: u.UploadId }));
    n++;
  }
  return n;
}

/** Aborts open multipart uploads under `prefix` started before `before` (left by a runner that crashed without its journal). */
export async function abortStaleUploads(
  client: S3Client,
  bucket: string,
  prefix: string,
  before: Date,
): Promise<number> {
  let n = 0;
  for (const u of await listUploads(client, bucket, prefix)) {
    if (!u.Key || !u.UploadId || !u.Initiated || u.Initiated >= before) continue;
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
    n++;
  }
  return n;
}

async function listUploads(client: S3Client, bucket: string, prefix: string) {
  const out = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
    );
    out.push(...(page.Uploads ?? []));
    if (!page.IsTruncated) return out;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}
