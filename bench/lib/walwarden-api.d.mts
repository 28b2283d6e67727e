// Types of walwarden-api.mjs, for the runner's TypeScript tests (the .mjs is the implementation and its docs).

type Dev = string | { url: string };
/** verifier/src/wire/resources.ts ProviderSchema: a hint, never a credential. */
export type Provider = "neon" | "supabase" | "rds" | "cloudsql" | "azure" | "self-hosted" | "other";

/** A non-2xx answer from the Worker. */
export class ApiCallError extends Error {
  constructor(method: string, path: string, status: number, body: string);
  status: number;
  body: string;
}

export interface Job {
  id: string;
  databaseId: string;
  scheduleId: string | null;
  trigger: "manual" | "schedule";
  slotAt: string | null;
  status: "queued" | "leased" | "completing" | "succeeded" | "failed";
  attempt: number;
  maxAttempts: number;
  runnerId: string | null;
  leaseExpiresAt: string | null;
  progress: { phase: string; bytes: number; at: string | null } | null;
  backupId: string | null;
  lastError: string | null;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Backup {
  id: string;
  databaseId: string;
  jobId: string;
  runnerId: string;
  artifactUri: string;
  sha256: string;
  sizeBytes: number;
  manifestSha256: string;
  logSeq: number;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number;
}

/** A claimed job: the wire's ClaimedJobSchema (defined once, in the verifier). */
export type ClaimedJob = import("zod").infer<typeof import("@walwarden/verifier/wire").ClaimedJobSchema>;

export interface CronTickStats {
  event: "cron.tick";
  cron: string;
  due: number;
  queued: number;
  invalid: number;
  expired: number;
  logged: number;
  orgsLogged: number;
  statements: number;
  [k: string]: unknown;
}

/** One API call; JSON in and out. */
export function apiCall<T = any>(
  dev: Dev,
  method: string,
  path: string,
  options?: { cookie?: string; bearer?: string; body?: unknown; timeoutMs?: number },
): Promise<T>;
/** POST /v1/bootstrap; `cookie` is a Cookie header value. */
export function bootstrapOrg(
  dev: Dev,
  who?: { orgName?: string; email?: string; password?: string },
): Promise<{
  cookie: string;
  org: { id: string; name: string };
  user: { id: string; email: string; role: "admin" };
  password: string;
}>;
/** POST /v1/databases. */
export function createDatabase(
  dev: Dev,
  cookie: string,
  name: string,
  provider?: Provider,
): Promise<{ id: string; name: string; provider: Provider; createdAt: string; updatedAt: string }>;
/** POST /v1/runners: the runner's id and its token (shown once). */
export function createRunnerToken(
  dev: Dev,
  cookie: string,
  name: string,
): Promise<{ id: string; name: string; token: string; createdAt: string }>;
/** POST /v1/databases/:id/backups. */
export function requestBackup(
  dev: Dev,
  cookie: string,
  databaseId: string,
): Promise<{ jobId: string; backupId: string }>;
/** GET /v1/jobs/:id. */
export function getJob(dev: Dev, cookie: string, jobId: string): Promise<Job>;
/** GET /v1/backups (one page). */
export function listBackups(
  dev: Dev,
  cookie: string,
  filter?: { databaseId?: string; limit?: number; cursor?: string },
): Promise<{ items: Backup[]; nextCursor: string | null }>;
/** POST /v1/runner/claim. */
export function claimJob(
  dev: Dev,
  runnerToken: string,
  body: { version?: string; databases: string[] },
): Promise<{ job: ClaimedJob | null }>;
/** Fires the scheduled handler at `timeMs`; with a startDev() object, waits for and returns the tick's stats. */
export function triggerCron(
  dev: Dev | { url: string; stdout: string; waitFor: Function },
  timeMs: number,
  options?: { timeoutMs?: number },
): Promise<CronTickStats | undefined>;
/** GET /.well-known/walwarden/keys. */
export function publishedKeys(dev: Dev): Promise<{ origin: string; checkpoint: string[]; manifest: string[] }>;

/** POST /v1/runner/jobs/:id/complete with the runner's result. */
export function completeJob(
  dev: Dev,
  runnerToken: string,
  jobId: string,
  body: { leaseId: string; artifactSha256: string; result: Record<string, unknown> },
): Promise<{ envelope: unknown; entry: string; proof: unknown; checkpoint: string }>;
/** A plausible artifact SHA-256 for synthetic results. */
export const SYNTHETIC_ARTIFACT_SHA256: string;
/** A runner's result for a backup that was never made (bucket `acme-backups` unless overridden). */
export function syntheticBackupResult(runnerId: string, overrides?: Record<string, unknown>): Record<string, unknown>;
/** PUT /v1/buckets/:bucket: a read-only bucket credential. */
export function putBucketCredential(
  dev: Dev,
  cookie: string,
  bucket: string,
  credential: {
    endpoint?: string;
    region: string;
    forcePathStyle: boolean;
    accessKeyId: string;
    secretAccessKey: string;
  },
): Promise<{
  bucket: string;
  endpoint: string | null;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  updatedBy: string;
  updatedAt: string;
}>;
/** POST /v1/restores: the one-time token is in this answer only. */
export function issueRestore(
  dev: Dev,
  cookie: string,
  backupId: string,
): Promise<{ restoreId: string; token: string; expiresAt: string; command: string }>;
/** A claim's answer: the wire's ClaimRestoreResponseSchema. */
export type ClaimedRestore = import("zod").infer<typeof import("@walwarden/verifier/wire").ClaimRestoreResponseSchema>;
/** POST /v1/restores/claim as the CLI. */
export function claimRestore(
  dev: Dev,
  claim: { token: string; orgId: string; clientVersion?: string },
): Promise<ClaimedRestore>;
/** POST /v1/restores/:id/transition with the progress credential. */
export function reportTransition(
  dev: Dev,
  restoreId: string,
  progressToken: string,
  transition: {
    state: "downloading" | "verifying" | "restoring" | "completed" | "failed";
    sha256?: string;
    dryRun?: boolean;
    stage?: string;
    reason?: string;
  },
): Promise<{ state: string; seq: number }>;
