import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { portableSha256 } from "../src/hash/sha256.js";
import { singleThreadRangeHasher } from "../src/log/range-hasher.js";
import { verifyBundle } from "../src/bundle/verify-bundle.js";
import { splitLines } from "../src/bundle/check-log.js";
import { buildFixtureLog, fixtureBundle, fixturePolicy } from "../src/test-support/fixture-log.js";
// The Node adapter spawns worker threads from compiled JS, so it is tested through the build.
import { nativeSha256, parallelRangeHasher } from "../dist/node/index.js";

describe("Node adapter gives the same bytes as the portable code", () => {
  test("native SHA-256 equals portable SHA-256, plain, prefixed and streamed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 70 }), fc.integer({ min: 0, max: 255 }), (a, b, p) => {
        expect(nativeSha256.digest(a)).toEqual(portableSha256.digest(a));
        expect(nativeSha256.digestPrefixed(p, a, b)).toEqual(portableSha256.digestPrefixed(p, a, b));
        expect(nativeSha256.stream().update(a).update(b).digest()).toEqual(portableSha256.stream().update(a).update(b).digest());
      }),
    );
  });

  test("the parallel range hasher equals the single-threaded one on ragged windows", async () => {
    const lines = Array.from({ length: 60_001 }, (_, i) => `{"n":${i},"pad":"${"x".repeat(i % 37)}"}\n`).join("");
    const data = new TextEncoder().encode(lines);
    const starts = splitLines(data)!;
    for (const firstIndex of [0, 5, 4093]) {
      const a = await parallelRangeHasher(2).hashRange(data, starts, firstIndex, 8);
      const b = await singleThreadRangeHasher(portableSha256).hashRange(data, starts, firstIndex, 8);
      expect(a.firstBlockStart).toBe(b.firstBlockStart);
      expect(Buffer.from(a.leaves).equals(Buffer.from(b.leaves))).toBe(true);
      expect(Buffer.from(a.blocks).equals(Buffer.from(b.blocks))).toBe(true);
      expect(a.blocks.length).toBeGreaterThan(0);
    }
  });

  test("a bundle verifies the same with the Node adapter as without", async () => {
    const zip = fixtureBundle(buildFixtureLog(150, 11), 30, 140);
    const fast = await verifyBundle(zip, fixturePolicy(), { sha256: nativeSha256, rangeHasher: parallelRangeHasher(2) });
    const slow = await verifyBundle(zip, fixturePolicy());
    expect(fast).toEqual(slow);
    expect(fast.verdict).toBe("verified");
  });
});
