import type {
  GetBucketEncryptionCommandOutput,
  GetBucketLifecycleConfigurationCommandOutput,
  GetBucketVersioningCommandOutput,
  GetObjectLockConfigurationCommandOutput,
  GetPublicAccessBlockCommandOutput,
} from "@aws-sdk/client-s3";
import type { BucketPosture } from "@walwarden/verifier";

/** The lifecycle rules a posture carries at most (BucketPostureSchema's cap; S3 allows 1,000 rules a bucket). */
export const MAX_POSTURE_RULES = 1000;

/** Days in a year of a default retention given in Years: 365, a lower bound (S3 counts calendar years, leap days included). */
const DAYS_PER_YEAR = 365;

type Known<K extends keyof BucketPosture> = Exclude<BucketPosture[K], "unknown">;

/** A whole number of at least `min`, or undefined. */
function whole(n: unknown, min: number): number | undefined {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= min ? n : undefined;
}

/** GetBucketVersioning's Status: Enabled, Suspended, or none (versioning never enabled); anything else is unreadable. */
export function versioningOf(o: Pick<GetBucketVersioningCommandOutput, "Status">): BucketPosture["versioning"] {
  const status: string | undefined = o.Status;
  if (status === undefined || status === "") return "off";
  return status === "Enabled" ? "enabled" : status === "Suspended" ? "suspended" : "unknown";
}

/**
 * GetObjectLockConfiguration: Object Lock on (ObjectLockEnabled Enabled) and its default retention. A
 * default in Years is converted to days ×365: the fewest days it can be (a leap year adds one), so a
 * comparison with a policy's days never credits the lock with more than it keeps. A bucket without Object
 * Lock (ObjectLockConfigurationNotFoundError) is `{ enabled: false, … }`, read by the caller.
 */
export function objectLockOf(
  o: Pick<GetObjectLockConfigurationCommandOutput, "ObjectLockConfiguration">,
): Known<"objectLock"> {
  const c = o.ObjectLockConfiguration;
  const enabled = c?.ObjectLockEnabled === "Enabled";
  const d = enabled ? c?.Rule?.DefaultRetention : undefined;
  const mode: string | undefined = d?.Mode;
  const years = whole(d?.Years, 1);
  const days = whole(d?.Days, 1) ?? (years !== undefined ? years * DAYS_PER_YEAR : undefined);
  return {
    enabled,
    defaultMode: mode === "GOVERNANCE" || mode === "COMPLIANCE" ? mode : null,
    defaultDays: days ?? null,
  };
}

/** GetPublicAccessBlock: `blocked` only when all four settings are on (one off leaves a way to make objects public). */
export function publicAccessOf(
  o: Pick<GetPublicAccessBlockCommandOutput, "PublicAccessBlockConfiguration">,
): Known<"publicAccess"> {
  const c = o.PublicAccessBlockConfiguration;
  const all = [c?.BlockPublicAcls, c?.IgnorePublicAcls, c?.BlockPublicPolicy, c?.RestrictPublicBuckets];
  return all.every((f) => f === true) ? "blocked" : "open";
}

/** GetBucketEncryption: the default algorithm of the first rule that has one (S3 keeps one rule), else `none`. */
export function encryptionOf(
  o: Pick<GetBucketEncryptionCommandOutput, "ServerSideEncryptionConfiguration">,
): BucketPosture["encryption"] {
  for (const rule of o.ServerSideEncryptionConfiguration?.Rules ?? []) {
    const algorithm: string | undefined = rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
    if (!algorithm) continue;
    // AES256, aws:kms, aws:kms:dsse…; something that is not a plain algorithm name is not reported as one.
    return /^[A-Za-z0-9:._-]{1,64}$/.test(algorithm) && algorithm !== "none" ? algorithm : "unknown";
  }
  return "none";
}

/** The key prefix every object of the runner starts with: `<prefix>/`, or "" for a runner writing at the bucket's root. */
export function keyPrefixOf(prefix: string): string {
  const p = prefix.replace(/\/+$/, "");
  return p ? `${p}/` : "";
}

/**
 * GetBucketLifecycleConfiguration: the enabled rules that delete objects under the runner's prefix, each as
 * `{ id, days }`, days the soonest it deletes one of them: `Expiration.Days` (current objects; on a
 * versioned bucket they become noncurrent), `NoncurrentVersionExpiration.NoncurrentDays`, or 0 for an
 * `Expiration.Date` (on that date every object it covers goes, however young). A rule covers the prefix
 * when its filter's prefix (`Filter.Prefix`, `Filter.And.Prefix` or the older rule-level `Prefix`) is a
 * prefix of the runner's keys, none or empty covering everything, or lies under the runner's prefix (it
 * deletes some of its objects); its tag and size conditions are not narrowed (the tags could be set on
 * the runner's objects, and its dumps come in every size). Transitions, the abort of incomplete uploads and
 * the removal of expired delete markers delete no data and are not counted. At most MAX_POSTURE_RULES.
 */
export function lifecycleOf(
  o: Pick<GetBucketLifecycleConfigurationCommandOutput, "Rules">,
  prefix: string,
): Known<"lifecycle"> {
  const keys = keyPrefixOf(prefix);
  const out: Known<"lifecycle"> = [];
  for (const rule of o.Rules ?? []) {
    if (out.length >= MAX_POSTURE_RULES) break;
    if (rule.Status !== "Enabled") continue;
    const p = rule.Filter?.Prefix ?? rule.Filter?.And?.Prefix ?? rule.Prefix ?? "";
    if (!keys.startsWith(p) && !p.startsWith(keys)) continue;
    const days = [
      whole(rule.Expiration?.Days, 0),
      whole(rule.NoncurrentVersionExpiration?.NoncurrentDays, 0),
      rule.Expiration?.Date !== undefined ? 0 : undefined,
    ].filter((d): d is number => d !== undefined);
    if (days.length) out.push({ id: (rule.ID ?? "").slice(0, 255), days: Math.min(...days) });
  }
  return out;
}
