import { z } from "zod";
import { clipText } from "../redact/clip.js";

/** Lifecycle rules postureWorsening names one by one; more are counted in one line. */
const NAMED_RULES = 5;

/**
 * What the runner read of its bucket's protection (SPEC §12, bucket posture). Each part is `unknown` when
 * the store does not implement the API or the runner may not read it: unknown is reported, never guessed.
 */
export const BucketPostureSchema = z.strictObject({
  /** The bucket's name: S3's characters (legacy names allow capitals and `_`), so it fits a log subject. */
  bucket: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, "a bucket name"),
  /** GetBucketVersioning: `off` (never enabled), `enabled`, or `suspended` (enabled once, then stopped). */
  versioning: z.enum(["off", "enabled", "suspended", "unknown"]),
  /** GetObjectLockConfiguration: whether Object Lock is on, and its default retention if any. */
  objectLock: z.union([
    z.literal("unknown"),
    z.strictObject({
      enabled: z.boolean(),
      defaultMode: z.enum(["GOVERNANCE", "COMPLIANCE"]).nullable(),
      defaultDays: z.number().int().positive().nullable(),
    }),
  ]),
  /** GetPublicAccessBlock: `blocked` when all four settings are on, `open` otherwise (or none set). */
  publicAccess: z.enum(["blocked", "open", "unknown"]),
  /** GetBucketEncryption: the default algorithm (`AES256`, `aws:kms`, …), `none`, or `unknown`. */
  encryption: z.string().min(1).max(64),
  /**
   * GetBucketLifecycleConfiguration: the enabled rules that expire current or noncurrent objects under the
   * runner's prefix, with their days; `unknown` when unreadable.
   */
  lifecycle: z.union([
    z.literal("unknown"),
    z.array(z.strictObject({ id: z.string().max(255), days: z.number().int().nonnegative() })).max(1000),
  ]),
});
/** A bucket's posture. */
export type BucketPosture = z.infer<typeof BucketPostureSchema>;

/**
 * How `current` is worse than `reference` (the posture last accepted as the bucket's), in words; empty
 * when it is not worse. Unknown parts compare as not worse: the runner could not read them, and saying
 * nothing is not the same as a change. `keepDays` is the longest the retention policy keeps a backup
 * (keepDaysOf), against which a lifecycle rule that deletes sooner is a risk in any posture, the
 * reference's too (null: not compared).
 */
export function postureWorsening(reference: BucketPosture, current: BucketPosture, keepDays: number | null): string[] {
  const out: string[] = [];
  if (reference.versioning === "enabled" && (current.versioning === "suspended" || current.versioning === "off"))
    out.push(`versioning ${current.versioning}`);
  const refLock = reference.objectLock;
  const curLock = current.objectLock;
  if (refLock !== "unknown" && curLock !== "unknown") {
    if (refLock.enabled && !curLock.enabled) out.push("Object Lock removed");
    else if (refLock.defaultDays !== null && (curLock.defaultDays ?? 0) < refLock.defaultDays)
      out.push(`default retention cut from ${refLock.defaultDays} to ${curLock.defaultDays ?? 0} days`);
    else if (refLock.defaultMode === "COMPLIANCE" && curLock.defaultMode === "GOVERNANCE")
      out.push("default retention weakened from COMPLIANCE to GOVERNANCE");
  }
  if (reference.publicAccess === "blocked" && current.publicAccess === "open") out.push("public access allowed");
  if (reference.encryption !== "none" && reference.encryption !== "unknown" && current.encryption === "none")
    out.push("default encryption removed");
  // A rule that deletes what the policy keeps is a risk whatever the reference had: it is not compared.
  // The first few are named (their ids clipped) and the rest counted, so the list fits its log entry.
  if (keepDays !== null && current.lifecycle !== "unknown") {
    const early = current.lifecycle.filter((r) => r.days < keepDays);
    for (const r of early.slice(0, NAMED_RULES))
      out.push(
        `lifecycle rule ${JSON.stringify(clipText(r.id, 64))} deletes objects after ${r.days} days, before the policy does`,
      );
    if (early.length > NAMED_RULES)
      out.push(`${early.length - NAMED_RULES} more lifecycle rules delete objects before the policy does`);
  }
  return out;
}
