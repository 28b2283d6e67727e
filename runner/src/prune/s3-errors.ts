/** What the AWS SDK's errors carry that the prune reads. */
interface S3Error {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The HTTP status of an S3 error, if it came from S3. */
export function s3Status(e: unknown): number | undefined {
  return (e as S3Error | null)?.$metadata?.httpStatusCode;
}

/** The S3 error code (NoSuchKey, AccessDenied, …), or the error's name. */
export function s3Code(e: unknown): string {
  const x = e as S3Error | null;
  return x?.Code ?? x?.name ?? "Error";
}

/** Whether S3 says there is no such object (or no such version of it). */
export function isNotFound(e: unknown): boolean {
  return s3Status(e) === 404 || ["NoSuchKey", "NotFound", "NoSuchVersion"].includes(s3Code(e));
}

/**
 * Whether an answer to GetObjectRetention / GetObjectLegalHold says the bucket has no Object Lock at all:
 * S3's 400 InvalidRequest "Bucket is missing Object Lock Configuration", ObjectLockConfigurationNotFoundError,
 * or a store without Object Lock (501 NotImplemented: s3rver, some S3-compatible stores).
 */
export function isBucketWithoutObjectLock(e: unknown): boolean {
  const code = s3Code(e);
  if (s3Status(e) === 501 || code === "NotImplemented" || code === "ObjectLockConfigurationNotFoundError") return true;
  return code === "InvalidRequest" && /object ?lock configuration/i.test((e as S3Error).message ?? "");
}

/** Whether the answer says this object has no retention or no legal hold (NoSuchObjectLockConfiguration). */
export function isObjectWithoutLock(e: unknown): boolean {
  return s3Code(e) === "NoSuchObjectLockConfiguration";
}

/** An S3 failure in words for a failure reason: the operation, the key, the status and S3's code and message. */
export function describeS3Error(op: string, key: string, e: unknown): string {
  const status = s3Status(e);
  const message = (e as S3Error | null)?.message ?? String(e);
  return `${op} ${key}: ${status ? `${status} ` : ""}${s3Code(e)}: ${message}`.slice(0, 600);
}
