/**
 * The Worker's D1 binding, vars and secrets (wrangler.toml documents each): everything in Env but the
 * Durable Object namespaces. A Durable Object types its env with this (plus the namespaces it calls), so
 * its file never imports env.ts, which imports every Durable Object class for its namespace's type.
 */
export interface CoreEnv {
  DB: D1Database;
  LOG_ORIGIN: string;
  LEASE_SECONDS: string;
  MAX_JOB_ATTEMPTS: string;
  VERIFY_RATE_LIMIT_PER_MINUTE: string;
  RESTORE_TOKEN_TTL_SECONDS?: string;
  RESTORE_IDLE_TIMEOUT_SECONDS?: string;
  RESTORE_MAX_SUBSCRIBERS?: string;
  RESTORE_SSE_HEARTBEAT_SECONDS?: string;
  CLAIM_RATE_LIMIT_PER_MINUTE?: string;
  PUBLIC_API_URL?: string;
  BUCKET_CREDENTIALS_KEY?: string;
  CHECKPOINT_SIGNER_KEY: string;
  MANIFEST_SIGNER_KEY: string;
  RETIRED_VKEYS?: string;
  /** Alerts (worker/README.md, "Alerts"): minutes of grace after a slot, of runner silence, of a job running. */
  ALERT_MISSED_GRACE_MINUTES?: string;
  ALERT_RUNNER_SILENT_MINUTES?: string;
  ALERT_JOB_STUCK_MINUTES?: string;
  /** "true" only in development and tests: alert webhooks may then go to http://127.0.0.1 (never in production). */
  ALERTS_ALLOW_LOOPBACK?: string;
  /** The sender address of alert emails (a verified address of the zone's Email Routing). */
  ALERT_EMAIL_FROM?: string;
  /** Test-only fault injection (src/jobs/test-faults.ts); never set in wrangler.toml or production. */
  TEST_FAULTS?: string;
}

/** A positive integer var, or the default when it is unset or not a positive integer. */
export function intVar(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/** The origin line of an org's log checkpoints. */
export function logOrigin(env: Pick<CoreEnv, "LOG_ORIGIN">, orgId: string): string {
  return `${env.LOG_ORIGIN}/${orgId}`;
}
