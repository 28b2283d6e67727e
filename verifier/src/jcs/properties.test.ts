import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8 } from "../bytes/utf8.js";
import { canonicalBytes, canonicalize, parseCanonical } from "./canonicalize.js";

const anyJson = fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: "binary" }));

describe("JCS properties", () => {
  it("is idempotent through JSON.parse", () => {
    fc.assert(
      fc.property(anyJson, (v) => {
        const c = canonicalize(v);
        expect(canonicalize(JSON.parse(c))).toBe(c);
      }),
      { numRuns: 500 },
    );
  });

  it("parseCanonical accepts canonicalBytes and round-trips the value", () => {
    fc.assert(
      fc.property(anyJson, (v) => {
        const parsed = parseCanonical(canonicalBytes(v));
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(canonicalize(parsed.value)).toBe(canonicalize(v));
      }),
      { numRuns: 500 },
    );
  });

  it("parseCanonical rejects any other spelling of the same value", () => {
    fc.assert(
      fc.property(anyJson, fc.constantFrom(1, 2, "\t"), (v, indent) => {
        const pretty = JSON.stringify(v, null, indent);
        fc.pre(pretty !== canonicalize(v));
        const parsed = parseCanonical(utf8(pretty));
        expect(parsed).toMatchObject({ ok: false, code: "not-canonical" });
      }),
      { numRuns: 300 },
    );
  });

  // ECMAScript's JSON.stringify is RFC 8785's reference for scalars (§3.2.2), so it is an independent oracle
  // for every well-formed string and every finite number.
  it("matches JSON.stringify on well-formed strings and finite numbers", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(canonicalize(s)).toBe(JSON.stringify(s));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(canonicalize(n)).toBe(JSON.stringify(n));
      }),
      { numRuns: 500 },
    );
  });

  it("throws on any string with a lone surrogate", () => {
    // fc.string() draws printable ASCII, so the surrogate cannot pair with a neighbour.
    const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.string(), lone, fc.string(), (a, s, b) => {
        expect(() => canonicalize({ k: a + s + b })).toThrow(TypeError);
        expect(() => canonicalize({ [a + s + b]: 1 })).toThrow(TypeError);
      }),
    );
  });
});
