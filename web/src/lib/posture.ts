// A bucket's posture in words for the runners screen (verifier/SPEC.md §12, bucket posture): what each part
// the runner read says, with `unknown` worded as unread (the store lacks the API, or the runner's
// credentials may not read it), never as bad; and what is worse than before, the same list the
// bucket.at_risk alert holds.
import type { BucketPosture } from "@walwarden/verifier";
import type { BucketPostureView, Runner } from "@walwarden/verifier/wire";

/** What an unknown part says: the runner could not read it, which is not a finding about the bucket. */
export const UNREAD_WORDS = "could not be read (the store lacks the API or the runner may not read it)";

/** Lifecycle rules listed one by one; more are counted in one line. */
export const LISTED_RULES = 10;

/** One part of a posture: its label, its words, and whether the runner could read it. */
export interface PosturePart {
  /** A stable name for the part (data-part in the page). */
  key: "versioning" | "objectLock" | "publicAccess" | "encryption" | "lifecycle";
  label: string;
  /** The part in words, one line each (a lifecycle lists its rules). */
  lines: string[];
  /** True when the runner could not read the part. */
  unread: boolean;
}

const unread = (key: PosturePart["key"], label: string): PosturePart => ({
  key,
  label,
  lines: [UNREAD_WORDS],
  unread: true,
});

/** "1 day", "30 days". */
export const daysWords = (n: number) => `${n} ${n === 1 ? "day" : "days"}`;

/** Versioning: enabled, suspended, off, or unread. */
export function versioningPart(v: BucketPosture["versioning"]): PosturePart {
  const label = "Versioning";
  if (v === "unknown") return unread("versioning", label);
  const words = { enabled: "enabled", suspended: "suspended (enabled once, then stopped)", off: "off (never enabled)" };
  return { key: "versioning", label, lines: [words[v]], unread: false };
}

/** Object Lock: on with its default retention (mode and days), on without one, off, or unread. */
export function objectLockPart(l: BucketPosture["objectLock"]): PosturePart {
  const label = "Object Lock";
  if (l === "unknown") return unread("objectLock", label);
  if (!l.enabled) return { key: "objectLock", label, lines: ["off"], unread: false };
  let words: string;
  if (l.defaultMode !== null && l.defaultDays !== null)
    words = `on, ${l.defaultMode} default ${daysWords(l.defaultDays)}`;
  else if (l.defaultMode !== null) words = `on, ${l.defaultMode} default retention`;
  else if (l.defaultDays !== null) words = `on, default ${daysWords(l.defaultDays)}`;
  else words = "on, no default retention";
  return { key: "objectLock", label, lines: [words], unread: false };
}

/** Public access: blocked (all four block settings on), open, or unread. */
export function publicAccessPart(p: BucketPosture["publicAccess"]): PosturePart {
  const label = "Public access";
  if (p === "unknown") return unread("publicAccess", label);
  const words = p === "blocked" ? "blocked (all four block settings on)" : "open (not every block setting is on)";
  return { key: "publicAccess", label, lines: [words], unread: false };
}

/** Default encryption: the algorithm (`AES256`, `aws:kms`, …), none, or unread. */
export function encryptionPart(e: string): PosturePart {
  const label = "Default encryption";
  if (e === "unknown") return unread("encryption", label);
  return { key: "encryption", label, lines: [e === "none" ? "none" : e], unread: false };
}

/** Lifecycle: no rule expires backups, each rule that does with its days (the first few, the rest counted), or unread. */
export function lifecyclePart(l: BucketPosture["lifecycle"]): PosturePart {
  const label = "Lifecycle";
  if (l === "unknown") return unread("lifecycle", label);
  if (l.length === 0) return { key: "lifecycle", label, lines: ["no rule expires backups"], unread: false };
  const lines = l
    .slice(0, LISTED_RULES)
    .map(
      (r) =>
        `${r.id === "" ? "a rule with no id" : `rule ${JSON.stringify(r.id)}`} expires objects after ${daysWords(r.days)}`,
    );
  const more = l.length - LISTED_RULES;
  if (more > 0) lines.push(`${more} more ${more === 1 ? "rule expires" : "rules expire"} objects`);
  return { key: "lifecycle", label, lines, unread: false };
}

/** Every part of a posture, in the order SPEC §12 reads them. */
export function postureParts(p: BucketPosture): PosturePart[] {
  return [
    versioningPart(p.versioning),
    objectLockPart(p.objectLock),
    publicAccessPart(p.publicAccess),
    encryptionPart(p.encryption),
    lifecyclePart(p.lifecycle),
  ];
}

/** The runner that reported a posture: its name when the runners list has it, else its id. */
export function runnerLabel(runnerId: string, runners: readonly Pick<Runner, "id" | "name">[] | undefined): string {
  return runners?.find((r) => r.id === runnerId)?.name ?? runnerId;
}

/** Whether a bucket is at risk: what is worse than before is not empty (bucket.at_risk holds while it is). */
export const atRisk = (v: Pick<BucketPostureView, "worsening">) => v.worsening.length > 0;

/** The at-risk callout's first line, in the alert's own words ("Bucket x is less protected than before"). */
export const atRiskTitle = (bucket: string) => `Bucket ${bucket} is less protected than before`;

/** The buckets at risk first, each group by name. */
export function sortPostures<T extends Pick<BucketPostureView, "bucket" | "worsening">>(items: readonly T[]): T[] {
  return [...items].sort(
    (a, b) => Number(atRisk(b)) - Number(atRisk(a)) || (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0),
  );
}

/** "2 buckets, 1 at risk", "1 bucket, none at risk". */
export function postureCountWords(items: readonly Pick<BucketPostureView, "worsening">[]): string {
  const risky = items.filter(atRisk).length;
  return `${items.length} ${items.length === 1 ? "bucket" : "buckets"}, ${risky === 0 ? "none" : risky} at risk`;
}
