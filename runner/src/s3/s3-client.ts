import { S3Client } from "@aws-sdk/client-s3";
import type { BucketConfig } from "../config/schema.js";

/** Attempts per S3 request: the SDK's standard retry mode backs off (with jitter) on 5xx, SlowDown and network errors. */
export const S3_MAX_ATTEMPTS = 8;

/**
 * The S3 client for the customer's bucket. Credentials are the explicit keys if configured, else the
 * SDK's default chain (environment, shared config/profile, web identity, ECS, EC2 instance metadata).
 * Checksums are sent only where the operation requires them unless Object Lock is on (S3 then requires
 * an integrity checksum on every write), which keeps S3-compatible stores that lack the newer checksum
 * headers working.
 */
export function makeS3Client(b: BucketConfig): S3Client {
  return new S3Client({
    region: b.region,
    ...(b.endpoint ? { endpoint: b.endpoint } : {}),
    forcePathStyle: b.forcePathStyle,
    ...(b.accessKeyId && b.secretAccessKey
      ? {
          credentials: {
            accessKeyId: b.accessKeyId,
            secretAccessKey: b.secretAccessKey,
            ...(b.sessionToken ? { sessionToken: b.sessionToken } : {}),
          },
        }
      : {}),
    maxAttempts: S3_MAX_ATTEMPTS,
    // A request that hangs (a stalled connection) fails after 2 minutes and is retried, instead of
    // holding the backup forever; without throwOnRequestTimeout the SDK would only log a warning.
    requestHandler: { connectionTimeout: 15_000, requestTimeout: 120_000, throwOnRequestTimeout: true },
    retryMode: "standard",
    requestChecksumCalculation: b.objectLock ? "WHEN_SUPPORTED" : "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
