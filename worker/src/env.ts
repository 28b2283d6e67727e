import type { Ledger } from "./ledger/ledger.js";
import type { RateLimiter } from "./ratelimit/rate-limiter.js";
import type { RestoreSession } from "./restores/restore-session.js";

/** The Worker's bindings, vars and secrets (wrangler.toml documents each). */
export interface Env {
  DB: D1Database;
  LEDGER: DurableObjectNamespace<Ledger>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  RESTORE_SESSION: DurableObjectNamespace<RestoreSession>;
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
  /** Test-only fault injection (src/jobs/test-faults.ts); never set in wrangler.toml or production. */
  TEST_FAULTS?: string;
}

/** A positive integer var, or the default when it is unset or not a positive integer. */
export function intVar(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/** The origin line of an org's log checkpoints. */
export function logOrigin(env: Pick<Env, "LOG_ORIGIN">, orgId: string): string {
  return `${env.LOG_ORIGIN}/${orgId}`;
}
