import { describe, expect, it } from "vitest";
import { backoffMs, blockedUntil, liveFailures, type BackoffPolicy } from "./backoff.js";

const p: BackoffPolicy = { free: 3, baseMs: 1000, maxMs: 10_000, forgetMs: 60_000 };

describe("backoff", () => {
  it("costs nothing for the free failures, then doubles up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 40].map((n) => backoffMs(n, p))).toEqual([
      0, 0, 0, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it("blocks from the last failure, and forgets a key quiet for forgetMs", () => {
    const f = { count: 5, lastAt: 100_000 };
    expect(blockedUntil(f, p, 100_500)).toBe(102_000);
    expect(blockedUntil({ count: 3, lastAt: 100_000 }, p, 100_500)).toBe(0);
    expect(liveFailures(f, p, 159_999)).toBe(f);
    expect(liveFailures(f, p, 160_000)).toBeUndefined();
    expect(blockedUntil(f, p, 160_000)).toBe(0);
    expect(blockedUntil(undefined, p, 0)).toBe(0);
  });
});
