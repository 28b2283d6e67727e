import type { Context } from "hono";
import type { Env } from "../env.js";
import type { RateDecision } from "./rate-limiter.js";

/** Counts one attempt for `key` against `limit` per `windowMs`. */
export async function rateLimit(env: Env, key: string, limit: number, windowMs: number): Promise<RateDecision> {
  const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));
  return stub.hit(limit, windowMs);
}

/** The client's address as the platform sets it (CF-Connecting-IP), never a header the client chose (X-Forwarded-For). */
export function clientAddress(c: Context): string {
  return c.req.header("cf-connecting-ip") ?? "unknown";
}
