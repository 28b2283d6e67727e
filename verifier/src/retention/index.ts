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
export {
  type ExpiryProjection,
  PROJECTION_HORIZON_MS,
  PROJECTION_MAX_STEPS,
  PROJECTION_WORK_BUDGET,
  type ProjectedExpiry,
  type ProjectionOptions,
  projectExpiry,
  simulatedBackupId,
  simulatedBackups,
} from "./project-expiry.js";
