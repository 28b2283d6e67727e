// Small clients for the real HTTP API of a local Walwarden Worker, for tests, the benches and the demo.
export { ApiCallError, apiCall, type ApiCallOptions, type Dev } from "./api-call.js";
export {
  getJob,
  listBackups,
  publishedKeys,
  requestBackup,
  triggerCron,
  type Backup,
  type CronTickStats,
  type Job,
} from "./backups.js";
export {
  bootstrapOrg,
  createApiToken,
  createDatabase,
  createRunnerToken,
  type BootstrappedOrg,
  type DatabaseRecord,
  type Provider,
} from "./org.js";
export {
  claimRestore,
  issueRestore,
  putBucketCredential,
  reportProgress,
  reportTransition,
  type BucketCredentialRecord,
  type ClaimedRestore,
  type IssuedRestore,
} from "./restores.js";
export {
  SYNTHETIC_ARTIFACT_SHA256,
  claimJob,
  completeJob,
  syntheticBackupResult,
  type BackupResult,
  type ClaimedJob,
  type CompleteRequest,
} from "./runner-protocol.js";
