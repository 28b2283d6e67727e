import { DurableObject } from "cloudflare:workers";
import type { CoreEnv } from "../core-env.js";
import { blockedUntil, liveFailures, type BackoffPolicy, type Failures } from "./backoff.js";

/** The answer to one attempt. */
export interface RateDecision {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/** The answer to one attempt under a backoff key. */
export interface BackoffDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

const BACKOFF_TABLE =
  "CREATE TABLE IF NOT EXISTS backoff (id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL, last_at INTEGER NOT NULL)";

/**
 * One Durable Object per key (client address; client and sign-in account). Two kinds of limit:
 * - `hit`: a fixed-window counter in memory (an evicted object forgets, which errs toward letting a few
 *   more requests through): public verify and restore claims.
 * - `attempt`/`refund`/`reset`: failures with exponential backoff (backoff.ts), kept in storage so a block
 *   outlives eviction, and deleted by alarm once forgotten: sign-in.
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

  /**
   * An attempt that may fail: refused while the key is blocked (and then not counted), otherwise counted
   * as a failure at once, so that attempts sent together cannot all pass before any of them has failed.
   * One that succeeds is refunded or reset by the caller.
   */
  async attempt(policy: BackoffPolicy, now = Date.now()): Promise<BackoffDecision> {
    const live = liveFailures(this.failures(), policy, now);
    const until = blockedUntil(live, policy, now);
    if (now < until) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
    this.store({ count: (live?.count ?? 0) + 1, lastAt: now });
    await this.ctx.storage.setAlarm(now + policy.forgetMs);
    return { allowed: true, retryAfterSeconds: 0 };
  }

  /** Takes back one counted attempt (it succeeded): the key keeps its other failures. */
  async refund(): Promise<void> {
    const f = this.failures();
    if (!f) return;
    if (f.count <= 1) await this.reset();
    else this.store({ ...f, count: f.count - 1 });
  }

  /** Forgets every failure under this key. */
  async reset(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  /** Deletes what the key no longer needs to remember. */
  override async alarm(): Promise<void> {
    await this.reset();
  }

  private failures(): Failures | undefined {
    this.ctx.storage.sql.exec(BACKOFF_TABLE);
    const row = this.ctx.storage.sql
      .exec<{ count: number; last_at: number }>("SELECT count, last_at FROM backoff WHERE id = 1")
      .toArray()[0];
    return row ? { count: row.count, lastAt: row.last_at } : undefined;
  }

  private store(f: Failures): void {
    this.ctx.storage.sql.exec(BACKOFF_TABLE);
    this.ctx.storage.sql.exec(
      "INSERT INTO backoff (id, count, last_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET count = excluded.count, last_at = excluded.last_at",
      f.count,
      f.lastAt,
    );
  }
}
