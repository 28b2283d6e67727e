import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bitAt, bitLength, MAX_TREE_VALUE, popCount, toTreeValue, trailingZeros } from "./tree-size.js";

describe("toTreeValue", () => {
  it("accepts non-negative safe integers and bigints up to 2^63 − 1", () => {
    expect(toTreeValue(0)).toBe(0n);
    expect(toTreeValue(-0)).toBe(0n);
    expect(toTreeValue(Number.MAX_SAFE_INTEGER)).toBe(2n ** 53n - 1n);
    expect(toTreeValue(2n ** 40n)).toBe(2n ** 40n);
    expect(toTreeValue(MAX_TREE_VALUE)).toBe(2n ** 63n - 1n);
  });

  it("rejects negative, fractional, non-finite, unsafe and too-large values", () => {
    for (const v of [-1, 0.5, 1e-9, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 60, -1n, 2n ** 63n, 2n ** 64n - 1n])
      expect(toTreeValue(v)).toBeUndefined();
    expect(toTreeValue("5" as unknown as number)).toBeUndefined();
  });
});

describe("bit helpers on BigInt", () => {
  const big = fc.bigInt({ min: 1n, max: MAX_TREE_VALUE });

  it("bitLength, popCount, trailingZeros and bitAt match their definitions", () => {
    fc.assert(
      fc.property(big, (x) => {
        const bits = x.toString(2);
        expect(bitLength(x)).toBe(bits.length);
        expect(2n ** BigInt(bitLength(x) - 1) <= x && x < 2n ** BigInt(bitLength(x))).toBe(true);
        expect(popCount(x)).toBe([...bits].filter((c) => c === "1").length);
        const tz = trailingZeros(x);
        expect(x % 2n ** BigInt(tz)).toBe(0n);
        expect((x / 2n ** BigInt(tz)) % 2n).toBe(1n);
        for (let i = 0; i < 64; i++) expect(bitAt(x, i)).toBe(Number((x / 2n ** BigInt(i)) % 2n));
      }),
      { numRuns: 300 },
    );
    expect(bitLength(0n)).toBe(0);
    expect(popCount(0n)).toBe(0);
    expect(bitLength(2n ** 32n + 5n)).toBe(33); // where 32-bit operators go wrong
  });
});
