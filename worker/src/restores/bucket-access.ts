import { and, eq } from "drizzle-orm";
import { err, ok, type Result } from "@walwarden/verifier";
import type { Env } from "../env.js";
import { dbOf } from "../db/client.js";
import { bucketCredentials } from "../db/schema.js";
import { open } from "../lib/secret-box.js";
import type { BucketAccess } from "./presign.js";

/** An S3 bucket name (3–63 lower-case letters, digits, dots and hyphens). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The bucket and key of an `s3://bucket/key` artifact URI. */
export function splitArtifactUri(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

/** What binds a sealed bucket secret to its row. */
export function bucketSecretContext(orgId: string, bucket: string): string {
  return `bucket-credential:${orgId}:${bucket}`;
}

/** Why a bucket cannot be presigned for. */
export type BucketAccessErrorCode = "no-credential" | "sealed";

/** The org's read-only access to a bucket, with its secret opened, or why there is none. */
export async function bucketAccess(
  env: Env,
  orgId: string,
  bucket: string,
): Promise<Result<BucketAccess, BucketAccessErrorCode>> {
  const row = await dbOf(env.DB).query.bucketCredentials.findFirst({
    where: and(eq(bucketCredentials.orgId, orgId), eq(bucketCredentials.bucket, bucket)),
  });
  if (!row)
    return err(
      "no-credential",
      `no read-only credential for bucket ${bucket}: an admin adds one in the dashboard (Settings → Buckets) or with PUT /v1/buckets/${bucket} (docs/restore-credentials.md)`,
    );
  const secret = await open(env.BUCKET_CREDENTIALS_KEY, row.sealedSecret, bucketSecretContext(orgId, bucket));
  if (!secret.ok) return err("sealed", `the credential for bucket ${bucket} cannot be opened: ${secret.message}`);
  return ok({
    bucket,
    endpoint: row.endpoint,
    region: row.region,
    forcePathStyle: row.forcePathStyle,
    accessKeyId: row.accessKeyId,
    secretAccessKey: secret.value,
  });
}
