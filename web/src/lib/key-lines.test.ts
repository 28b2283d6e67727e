import { expect, it } from "vitest";
import { parseKeyLines } from "./key-lines.js";

it("reads vkeys one a line or space-separated, ignoring blanks and comments", () => {
  expect(parseKeyLines("a+1+x\n\n  b+2+y  # the manifest key\n# only a comment\nc+3+z d+4+w\r\n")).toEqual([
    "a+1+x",
    "b+2+y",
    "c+3+z",
    "d+4+w",
  ]);
  expect(parseKeyLines("  \n")).toEqual([]);
});
