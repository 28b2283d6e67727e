import { GetObjectLegalHoldCommand, GetObjectRetentionCommand, type S3Client } from "@aws-sdk/client-s3";
import { err, ok, type Result } from "@walwarden/verifier";
import { describeS3Error, isBucketWithoutObjectLock, isObjectWithoutLock } from "./s3-errors.js";

/** An object version's Object Lock: its retain-until (null: none) and whether a legal hold is on. */
export interface LockState {
  retainUntil: Date | null;
  legalHold: boolean;
}

/** What a prune has learned of the bucket: whether it has an Object Lock configuration (undefined: not yet known). */
export interface LockSupport {
  configured: boolean | undefined;
}

const NO_LOCK: LockState = { retainUntil: null, legalHold: false };

/**
 * Reads an object version's retention (GetObjectRetention) and legal hold (GetObjectLegalHold). A bucket
 * without Object Lock answers with an error (InvalidRequest "missing Object Lock Configuration", or 501
 * NotImplemented from a store without it): that is no lock, and `support` remembers it so the rest of the
 * job asks no more; an object without retention or hold (NoSuchObjectLockConfiguration) has none. Any
 * other error is `unavailable` (the job fails retryably: nothing is deleted on a guess).
 */
export async function readObjectLock(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId: string | null,
  support: LockSupport,
): Promise<Result<LockState, "unavailable">> {
  if (support.configured === false) return ok(NO_LOCK);
  const object = { Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) };
  let retainUntil: Date | null = null;
  try {
    const r = await s3.send(new GetObjectRetentionCommand(object));
    retainUntil = r.Retention?.RetainUntilDate ?? null;
    support.configured = true;
  } catch (e) {
    if (isBucketWithoutObjectLock(e)) {
      support.configured = false;
      return ok(NO_LOCK);
    }
    if (!isObjectWithoutLock(e)) return err("unavailable", describeS3Error("GetObjectRetention", key, e));
    support.configured = true;
  }
  try {
    const h = await s3.send(new GetObjectLegalHoldCommand(object));
    return ok({ retainUntil, legalHold: h.LegalHold?.Status === "ON" });
  } catch (e) {
    if (isObjectWithoutLock(e) || isBucketWithoutObjectLock(e)) return ok({ retainUntil, legalHold: false });
    return err("unavailable", describeS3Error("GetObjectLegalHold", key, e));
  }
}

/** Whether a lock keeps the object now: a retain-until still to come, or a legal hold. */
export function isProtected(lock: LockState, now: Date): boolean {
  return lock.legalHold || (lock.retainUntil !== null && lock.retainUntil.getTime() > now.getTime());
}
