import { describe, expect, it } from "vitest";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import { canonicalBytes, canonicalize, parseCanonical } from "./canonicalize.js";

// Raw text through Vite, not node:fs, so the same file runs in Node and in workerd. (Vite needs the
// options as a literal in each call.)
const inputs = import.meta.glob<string>("../../test/vectors/jcs/input/*.json", {
  eager: true,
  query: "?raw",
  import: "default",
});
const outputs = import.meta.glob<string>("../../test/vectors/jcs/output/*.json", {
  eager: true,
  query: "?raw",
  import: "default",
});
const outhex = import.meta.glob<string>("../../test/vectors/jcs/outhex/*.txt", {
  eager: true,
  query: "?raw",
  import: "default",
});

const nameOf = (path: string) => path.slice(path.lastIndexOf("/") + 1).replace(/\.(json|txt)$/, "");
const byName = (files: Record<string, string>) => new Map(Object.entries(files).map(([p, text]) => [nameOf(p), text]));
const input = byName(inputs);
const output = byName(outputs);
const hex = byName(outhex);
const names = [...input.keys()].sort();

describe("RFC 8785 vectors (cyberphone/json-canonicalization)", () => {
  it("loads the vector files", () => {
    expect(names.length).toBeGreaterThan(0);
    expect([...output.keys()].sort()).toEqual(names);
    expect([...hex.keys()].sort()).toEqual(names);
  });

  describe.each(names)("%s", (name) => {
    const text = input.get(name)!;
    const expected = output.get(name)!;
    const expectedHex = hex.get(name)!.replace(/\s+/g, "");

    it("canonicalizes input to output, byte for byte", () => {
      expect(canonicalize(JSON.parse(text))).toBe(expected);
      expect(toHex(canonicalBytes(JSON.parse(text)))).toBe(expectedHex);
      // The output and outhex files must agree with each other too.
      expect(toHex(utf8(expected))).toBe(expectedHex);
    });

    it("accepts the output as canonical and re-canonicalizes it to itself", () => {
      const parsed = parseCanonical(utf8(expected));
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(canonicalize(parsed.value)).toBe(expected);
    });

    it("rejects the input, which is not canonical", () => {
      expect(text).not.toBe(expected);
      const parsed = parseCanonical(utf8(text));
      expect(parsed).toMatchObject({ ok: false, code: "not-canonical" });
    });
  });
});
