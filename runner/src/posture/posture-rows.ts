import type { CheckRow } from "../check/check-row.js";
import type { BucketConfig } from "../config/schema.js";
import { keyPrefixOf } from "./posture-parts.js";
import type { PosturePart, PostureReading } from "./read-posture.js";

/** Rules named in one row at most (a bucket may have 1,000). */
const RULES_SHOWN = 10;

function ruleList(rules: { id: string; days: number }[]): string {
  const shown = rules
    .slice(0, RULES_SHOWN)
    .map((r) => `${r.id ? JSON.stringify(r.id) : "(no id)"} after ${r.days} days`);
  return rules.length > RULES_SHOWN ? `${shown.join(", ")} and ${rules.length - RULES_SHOWN} more` : shown.join(", ");
}

/**
 * `walwarden-runner check`'s posture rows: one per part, what was read (ok) or `unknown` and why (a
 * warning, never a failure: a store may lack the API, the credentials may not read it); and a warning when
 * a lifecycle rule deletes objects under the prefix before `bucket.objectLock.retainDays`, the days the
 * runner locks them for.
 */
export function postureRows(reading: PostureReading, bucket: BucketConfig): CheckRow[] {
  const { posture, unknown } = reading;
  const under = keyPrefixOf(bucket.prefix) || "the bucket's root";
  const row = (part: PosturePart, detail: string): CheckRow => ({ check: `posture ${part}`, ok: true, detail });
  const unknownRow = (part: PosturePart): CheckRow => ({
    check: `posture ${part}`,
    ok: true,
    warning: true,
    detail: `unknown: ${unknown[part]?.detail ?? "the store's answer could not be read"}`,
  });
  const rows: CheckRow[] = [];

  const v = posture.versioning;
  rows.push(
    v === "unknown"
      ? unknownRow("versioning")
      : row(
          "versioning",
          v === "enabled"
            ? "enabled"
            : v === "suspended"
              ? "suspended (enabled once, then stopped: new writes replace the current version)"
              : "off (never enabled)",
        ),
  );

  const lock = posture.objectLock;
  rows.push(
    lock === "unknown"
      ? unknownRow("objectLock")
      : row(
          "objectLock",
          !lock.enabled
            ? "not enabled on the bucket"
            : lock.defaultMode && lock.defaultDays
              ? `enabled, default retention ${lock.defaultMode} ${lock.defaultDays} days`
              : "enabled, no default retention",
        ),
  );

  const pub = posture.publicAccess;
  rows.push(
    pub === "unknown"
      ? unknownRow("publicAccess")
      : row(
          "publicAccess",
          pub === "blocked"
            ? "blocked (all four public access block settings on)"
            : "open (not every public access block setting is on, or none is set)",
        ),
  );

  const enc = posture.encryption;
  rows.push(
    enc === "unknown"
      ? unknownRow("encryption")
      : row("encryption", enc === "none" ? "no default encryption" : `default encryption ${enc}`),
  );

  const rules = posture.lifecycle;
  if (rules === "unknown") rows.push(unknownRow("lifecycle"));
  else {
    rows.push(
      row(
        "lifecycle",
        rules.length
          ? `${rules.length} enabled rule${rules.length === 1 ? "" : "s"} delete${rules.length === 1 ? "s" : ""} objects under ${under}: ${ruleList(rules)}`
          : `no enabled rule deletes objects under ${under}`,
      ),
    );
    const lockDays = bucket.objectLock?.retainDays;
    const early = lockDays === undefined ? [] : rules.filter((r) => r.days < lockDays);
    if (early.length)
      rows.push({
        check: "posture lifecycle before lock",
        ok: true,
        warning: true,
        detail: `${early.length === 1 ? "a lifecycle rule deletes" : `${early.length} lifecycle rules delete`} objects under ${under} before the ${lockDays} days bucket.objectLock.retainDays locks them for: ${ruleList(early)}`,
      });
  }
  return rows;
}
