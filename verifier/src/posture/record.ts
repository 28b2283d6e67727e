import { canonicalize } from "../jcs/canonicalize.js";
import { lockDaysFor, type RetentionPolicy } from "../retention/policy.js";
import { type BucketPosture, postureWorsening } from "./posture.js";

/** What the Worker keeps of one bucket's posture between reports (SPEC §12, bucket posture). */
export interface PostureRecord {
  /** The posture last logged. */
  posture: BucketPosture;
  /** The posture the next is compared with: the last that was not worse. */
  reference: BucketPosture;
  /** How the logged posture is worse than the reference (postureWorsening); empty when it is not. */
  worsening: string[];
}

/**
 * The longest the policies of the databases a runner serves keep a backup, for postureWorsening: a database
 * without a policy keeps every backup, and a keepLast-only policy has no time bound, so either makes it
 * unbounded (any lifecycle rule that expires objects deletes some it keeps). Null with no database.
 */
export function keepDaysOf(policies: readonly (RetentionPolicy | null)[]): number | null {
  if (policies.length === 0) return null;
  let longest = 0;
  for (const p of policies) {
    const days = p === null ? null : lockDaysFor(p);
    if (days === null) return Number.POSITIVE_INFINITY;
    longest = Math.max(longest, days);
  }
  return longest;
}

/**
 * The record after a report of `current`, and whether it is logged as `bucket.posture`: the first report,
 * and each whose posture or worsening differs from the record's. The first reference is the first posture
 * (a lifecycle rule that deletes before the policy does is a risk in it too); it then moves to each posture
 * that is not worse. Every report is compared again, so a longer policy that a lifecycle rule now undercuts
 * is logged without the bucket changing.
 */
export function nextPostureRecord(
  previous: PostureRecord | null,
  current: BucketPosture,
  keepDays: number | null,
): { record: PostureRecord; log: boolean } {
  const reference = previous?.reference ?? current;
  const worsening = postureWorsening(reference, current, keepDays);
  const record = { posture: current, reference: worsening.length === 0 ? current : reference, worsening };
  const log =
    previous === null ||
    canonicalize(previous.posture) !== canonicalize(current) ||
    canonicalize(previous.worsening) !== canonicalize(worsening);
  return { record, log };
}
