/**
 * How failures under one key are slowed: the first `free` failures cost nothing; after failure n (n > free)
 * the key is blocked for baseMs·2^(n−free−1), at most maxMs; a key with no failure for forgetMs starts over.
 */
export interface BackoffPolicy {
  free: number;
  baseMs: number;
  maxMs: number;
  forgetMs: number;
}

/** The failures counted under one key: how many, and when the last one was counted. */
export interface Failures {
  count: number;
  lastAt: number;
}

/** The failures that still count at `now` (none once forgetMs has passed since the last). */
export function liveFailures(f: Failures | undefined, p: BackoffPolicy, now: number): Failures | undefined {
  return f && f.count > 0 && now - f.lastAt < p.forgetMs ? f : undefined;
}

/** How long `count` failures block the key after the last one. */
export function backoffMs(count: number, p: BackoffPolicy): number {
  if (count <= p.free) return 0;
  return Math.min(p.maxMs, p.baseMs * 2 ** Math.min(30, count - p.free - 1));
}

/** Until when the key is blocked at `now` (0 if it is not). */
export function blockedUntil(f: Failures | undefined, p: BackoffPolicy, now: number): number {
  const live = liveFailures(f, p, now);
  return live && live.count > p.free ? live.lastAt + backoffMs(live.count, p) : 0;
}
