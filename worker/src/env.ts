import type { Ledger } from "./ledger/ledger.js";
import type { RateLimiter } from "./ratelimit/rate-limiter.js";

/** The Worker's bindings, vars and secrets (wrangler.toml documents each). */
export interface Env {
  DB: D1Database;
  LEDGER: DurableObjectNamespace<Ledger>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  LOG_ORIGIN: string;
  LEASE_SECONDS: string;
  MAX_JOB_ATTEMPTS: string;
  VERIFY_RATE_LIMIT_PER_MINUTE: string;
  CHECKPOINT_SIGNER_KEY: string;
  MANIFEST_SIGNER_KEY: string;
  RETIRED_VKEYS?: string;
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
