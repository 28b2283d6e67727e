import { describe, expect, it } from "vitest";
import { canonicalize } from "@walwarden/verifier";
import { replaceLoneSurrogates } from "./well-formed.js";

describe("replaceLoneSurrogates: the Ledger's safety net for text that is not well-formed", () => {
  it("replaces each lone surrogate with U+FFFD, high or low, at either end or in the middle", () => {
    expect(replaceLoneSurrogates("a\uD800b")).toBe("a\uFFFDb");
    expect(replaceLoneSurrogates("\uDC00")).toBe("\uFFFD");
    expect(replaceLoneSurrogates("x\uDBFF")).toBe("x\uFFFD");
    expect(replaceLoneSurrogates("\uDE00\uD83D")).toBe("\uFFFD\uFFFD");
  });

  it("keeps well-formed pairs and ordinary text as they are", () => {
    expect(replaceLoneSurrogates("😀 \uD83D\uDE00 ok")).toBe("😀 😀 ok");
    expect(replaceLoneSurrogates("\uD83D\uDE00\uD800")).toBe("😀\uFFFD");
  });

  it("reaches strings at any depth, object keys too, and leaves other values alone", () => {
    const value = { reason: "disk\uD800", nested: [{ "k\uDC00": ["x\uDFFF", 1, null, true] }], n: 2 };
    expect(replaceLoneSurrogates(value)).toEqual({
      reason: "disk\uFFFD",
      nested: [{ "k\uFFFD": ["x\uFFFD", 1, null, true] }],
      n: 2,
    });
    expect(value.reason).toBe("disk\uD800");
  });

  it("answers the same object when nothing needs replacing", () => {
    const value = { reason: "fine", list: ["a", { b: "c" }] };
    expect(replaceLoneSurrogates(value)).toBe(value);
  });

  it("makes any string canonicalizable", () => {
    const bad = { reason: "\uD800x\uDC00" };
    expect(() => canonicalize(bad)).toThrow(/lone surrogate/);
    expect(() => canonicalize(replaceLoneSurrogates(bad))).not.toThrow();
  });
});
