import { describe, expect, it } from "vitest";
import { DEFAULT_PART, MAX_PART, MAX_PARTS, MIN_PART, choosePartSize } from "./part-size.js";

describe("choosePartSize", () => {
  it("uses 5 MiB parts (S3's minimum) for databases up to 5 GiB and unknown sizes", () => {
    expect(choosePartSize(undefined)).toBe(DEFAULT_PART);
    expect(choosePartSize(250 * 2 ** 20)).toBe(DEFAULT_PART);
    expect(choosePartSize(2 ** 30)).toBe(DEFAULT_PART);
  });

  it("keeps a dump as large as the database 10× under the 10,000-part limit", () => {
    for (const size of [2 ** 33, 10 ** 12, 4 * 2 ** 40]) {
      const part = choosePartSize(size);
      expect(part).toBeGreaterThanOrEqual(MIN_PART);
      expect(part % 2 ** 20).toBe(0);
      expect(Math.ceil(size / part)).toBeLessThanOrEqual(MAX_PARTS / 10);
    }
  });

  it("never exceeds S3's 5 GiB part", () => {
    expect(choosePartSize(2 ** 50)).toBe(MAX_PART);
  });
});
