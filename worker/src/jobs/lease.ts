import { intVar, type Env } from "../env.js";

/** How long a lease lasts from now (LEASE_SECONDS, default 120 s). */
export function leaseUntil(env: Env, now: number): number {
  return now + intVar(env.LEASE_SECONDS, 120) * 1000;
}
