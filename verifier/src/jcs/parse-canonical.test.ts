import { describe, expect, it } from "vitest";
import { utf8 } from "../bytes/utf8.js";
import { parseCanonical } from "./canonicalize.js";

const code = (bytes: Uint8Array) => {
  const r = parseCanonical(bytes);
  return r.ok ? "ok" : r.code;
};

describe("parseCanonical", () => {
  it("accepts canonical text and returns the parsed value", () => {
    expect(parseCanonical(utf8('{"a":[1,"x",null,true],"b":{}}'))).toEqual({
      ok: true,
      value: { a: [1, "x", null, true], b: {} },
    });
    for (const text of ["null", "0", "-1.5", "1e+30", '"\\u001f"', '"é"', "[]", "{}"])
      expect(code(utf8(text))).toBe("ok");
  });

  it.each([
    ["space after colon", '{"a": 1}'],
    ["leading space", " {}"],
    ["trailing newline", "{}\n"],
    ["space in array", "[1, 2]"],
    ["reordered keys", '{"b":1,"a":2}'],
    ["code-point order instead of UTF-16 order", '{"\uffff":1,"\u{1F600}":2}'],
    ["duplicate keys, same value", '{"a":1,"a":1}'],
    ["duplicate keys, different values", '{"a":1,"a":2}'],
    ["lone surrogate escape", '"\\ud800"'],
    ["lone surrogate escape in a key", '{"\\udc00":1}'],
    ["needless escape", '"\\u0041"'],
    ["escaped solidus", '"\\/"'],
    ["upper-case hex escape", '"\\u001F"'],
    ["\\u escape instead of \\n", '"\\u000a"'],
    ["escaped non-ASCII", '"\\u00e9"'],
    ["trailing zero", "1.0"],
    ["exponent not in ES form", "1e2"],
    ["upper-case exponent", "1E+30"],
    ["negative zero", "-0"],
    ["number beyond double range", "1e400"],
    ["integer beyond double precision", "12345678901234567890"],
  ])("rejects %s as not-canonical", (_name, text) => {
    expect(code(utf8(text))).toBe("not-canonical");
  });

  it("rejects a byte order mark although the decoder would drop it", () => {
    expect(code(Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d))).toBe("not-canonical");
  });

  it.each([
    ["invalid byte", [0x22, 0xff, 0x22]],
    ["truncated sequence", [0x22, 0xc3, 0x22]],
    ["overlong encoding of /", [0x22, 0xc0, 0xaf, 0x22]],
    ["UTF-8-encoded surrogate", [0x22, 0xed, 0xa0, 0x80, 0x22]],
  ])("rejects %s as not-utf8", (_name, bytes) => {
    expect(code(Uint8Array.from(bytes))).toBe("not-utf8");
  });

  it.each([
    ["empty", ""],
    ["unterminated", "{"],
    ["NaN", "NaN"],
    ["single quotes", "'a'"],
    ["trailing comma", "[1,]"],
  ])("rejects %s as not-json", (_name, text) => {
    expect(code(utf8(text))).toBe("not-json");
  });

  it("keeps an own __proto__ member as data, without touching the prototype", () => {
    const r = parseCanonical(utf8('{"__proto__":{"polluted":true}}'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const value = r.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses nesting too deep to re-serialize instead of throwing", () => {
    const depth = 200_000;
    const bytes = utf8("[".repeat(depth) + "]".repeat(depth));
    // Whether the engine's parser or our serializer gives out first varies by platform; either way the
    // answer is a refusal, never an exception.
    expect(() => parseCanonical(bytes)).not.toThrow();
    const r = parseCanonical(bytes);
    expect(r.ok ? "ok" : r.code).toMatch(/^(not-json|not-canonical)$/);
  });
});
