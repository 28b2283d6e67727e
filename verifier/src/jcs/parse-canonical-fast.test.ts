import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { canonicalize, parseCanonicalText } from "./canonicalize.js";

// parseCanonicalText takes a shortcut through JSON.stringify; this pins it to the definition
// "text is canonical iff it equals the JCS serialization of what it parses to".
function reference(text: string): boolean {
  try {
    return canonicalize(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

const tricky = fc.constantFrom(
  '{"10":1,"9":2}',
  '{"9":2,"10":1}',
  '{"a":"\\ud800"}',
  '{"a":"\\ud83d\\ude00"}',
  '{"a":"😀"}',
  '{"b":1,"a":2}',
  '{"a":1,"a":2}',
  '{"a":-0}',
  '{"a":1.0}',
  '{"a":1e21}',
  '{"a":1e+21}',
  '{"__proto__":1}',
  '["\\u001f"]',
  '["\\u001F"]',
  '["\\/"]',
  "[ 1]",
  '{"\\u00e9":1,"z":2}',
  '{"z":2,"é":1}',
  '{"a":{"c":1,"b":2}}',
  "[1e-7]",
  "[1E-7]",
  "null",
  "1",
  '"\\u2028"',
);

describe("parseCanonicalText fast path", () => {
  test("agrees with the definition on tricky texts", () => {
    fc.assert(
      fc.property(tricky, (text) => {
        expect(parseCanonicalText(text).ok).toBe(reference(text));
      }),
    );
  });

  test("agrees with the definition on random JSON written canonically, in insertion order, and indented", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom("canonical", "stringify", "indented"), (v, how) => {
        const text =
          how === "canonical" ? canonicalize(v) : how === "stringify" ? JSON.stringify(v) : JSON.stringify(v, null, 1);
        expect(parseCanonicalText(text).ok).toBe(reference(text));
        if (how === "canonical") expect(parseCanonicalText(text).ok).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test("agrees with the definition on random strings and keys, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: "binary" }), fc.string({ unit: "binary" })), (o) => {
        const text = JSON.stringify(o);
        expect(parseCanonicalText(text).ok).toBe(reference(text));
      }),
      { numRuns: 2000 },
    );
  });
});
