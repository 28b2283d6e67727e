// Retention (SPEC §12): the policy and the one decision every component and auditor runs.
export { bucketKey, isoWeek } from "./buckets.js";
export { type ExpiryRecomputation, recomputeExpiries } from "./recompute.js";
export {
  newestFirst,
  type RetainedBackup,
  type RetentionReason,
  type RetentionVerdict,
  retentionDecision,
} from "./decide.js";
export {
  describePolicy,
  keepsSomething,
  lockDaysFor,
  MAX_MIN_AGE_DAYS,
  MAX_RETENTION_COUNT,
  RETENTION_PERIODS,
  type RetentionPeriod,
  type RetentionPolicy,
  RetentionPolicyShape,
} from "./policy.js";
