import { DurableObject } from "cloudflare:workers";
import type { CoreEnv } from "../core-env.js";

/** The answer to one attempt. */
export interface RateDecision {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/**
 * A fixed-window counter, one Durable Object per key (client address, sign-in email). Counts live in
 * memory: an evicted object forgets, which errs toward letting a few more requests through.
 */
export class RateLimiter extends DurableObject<CoreEnv> {
  private windowStart = 0;
  private count = 0;

  /** Counts one attempt against `limit` per `windowMs`. */
  hit(limit: number, windowMs: number, now = Date.now()): RateDecision {
    if (now - this.windowStart >= windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
    this.count++;
    const retryAfterSeconds = Math.max(1, Math.ceil((this.windowStart + windowMs - now) / 1000));
    return { allowed: this.count <= limit, remaining: Math.max(0, limit - this.count), retryAfterSeconds };
  }
}
