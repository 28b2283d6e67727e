import { expect, test } from "vitest";
import spec from "../SPEC.md?raw";
import { specExamples } from "./test-support/spec-examples.js";

// SPEC.md's worked examples are not hand-written: each `<!-- example: name -->` block must equal what
// the code produces with the fixed test keys, so the document cannot drift from the code.
const BLOCK = /<!-- example: ([a-z0-9-]+) -->\n```[a-z]*\n([\s\S]*?)\n```/g;

test("every worked example in SPEC.md is what the code produces", () => {
  const inDoc = new Map([...spec.matchAll(BLOCK)].map((m) => [m[1]!, m[2]!]));
  const generated = specExamples();
  expect([...inDoc.keys()].sort()).toEqual(Object.keys(generated).sort());
  for (const [name, value] of Object.entries(generated))
    expect(inDoc.get(name), `SPEC.md example "${name}"`).toBe(value);
});
