import { describe, expect, it } from "vitest";
import { z } from "zod";
import { FreeText, SingleLine, singleLine, wellFormed } from "./common.js";

const message = (s: z.ZodType, v: unknown) => {
  const r = s.safeParse(v);
  return r.success ? undefined : r.error.issues[0]!.message;
};

describe("the shared text schemas", () => {
  it("wellFormed refuses a lone surrogate, high or low, and keeps pairs and line breaks", () => {
    for (const bad of ["\uD800", "a\uDC00", "\uDE00\uD83D"]) expect(message(FreeText, bad)).toMatch(/lone surrogate/);
    for (const good of ["", "😀", "line one\nline two\ttab", "\u007f"]) expect(FreeText.parse(good)).toBe(good);
  });

  it("singleLine also refuses every C0 and C1 control, DEL and the Unicode line separators", () => {
    const controls = [
      ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
      "\u007f",
      "\u0085",
      "\u009f",
      "\u2028",
      "\u2029",
    ];
    for (const c of controls) expect(message(SingleLine, `a${c}b`)).toMatch(/control characters/);
    expect(message(SingleLine, "\uD800")).toMatch(/lone surrogate/);
    for (const good of ["0.1.0", "us-east-1", "Ünïcödé 😀 name", "a b"]) expect(SingleLine.parse(good)).toBe(good);
  });

  it("adds to a schema's own checks and transforms, in their order", () => {
    const name = singleLine(z.string().trim().min(1).max(5));
    expect(name.parse("  abc  ")).toBe("abc");
    expect(message(name, "abcdef")).toMatch(/5/);
    expect(message(wellFormed(z.string().min(3)), "\uD800")).toMatch(/3|lone surrogate/);
  });
});
