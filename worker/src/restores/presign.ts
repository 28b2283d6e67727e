import { AwsClient } from "aws4fetch";

/** The longest a presigned restore download may live (≤ 15 minutes, docs/restore-credentials.md). */
export const MAX_PRESIGN_SECONDS = 900;

/** Where a bucket is and the read-only key that signs GETs for it. */
export interface BucketAccess {
  bucket: string;
  endpoint: string | null;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The object's URL: path-style `endpoint/bucket/key`, or virtual-hosted `bucket.host/key` (AWS's default). */
export function objectUrl(access: BucketAccess, key: string): URL {
  const endpoint = new URL(access.endpoint ?? `https://s3.${access.region}.amazonaws.com`);
  const path = key.split("/").map(encodeURIComponent).join("/");
  const base = endpoint.pathname.replace(/\/+$/, "");
  if (access.forcePathStyle) return new URL(`${endpoint.protocol}//${endpoint.host}${base}/${access.bucket}/${path}`);
  return new URL(`${endpoint.protocol}//${access.bucket}.${endpoint.host}${base}/${path}`);
}

/**
 * A presigned GET (SigV4 in the query string) for one object, valid for `seconds` (capped at 15 minutes).
 * Signing is local computation: the Worker sends nothing to the bucket and never sees the object's bytes.
 */
export async function presignGet(
  access: BucketAccess,
  key: string,
  seconds: number,
  now: number,
): Promise<{ url: string; expiresAt: number }> {
  const ttl = Math.max(1, Math.min(MAX_PRESIGN_SECONDS, Math.floor(seconds)));
  const url = objectUrl(access, key);
  url.searchParams.set("X-Amz-Expires", String(ttl));
  const client = new AwsClient({
    accessKeyId: access.accessKeyId,
    secretAccessKey: access.secretAccessKey,
    service: "s3",
    region: access.region,
  });
  const datetime = new Date(now).toISOString().replace(/[:-]|\.\d{3}/g, "");
  const signed = await client.sign(url.toString(), { method: "GET", aws: { signQuery: true, datetime } });
  return { url: signed.url, expiresAt: Math.floor(now / 1000) * 1000 + ttl * 1000 };
}
