import { expect, test } from "vitest";
import { AssertionExpectSchema, assertionPasses, type AssertionExpect } from "./assertion.js";

test.each<[AssertionExpect, string | null, boolean]>([
  [{ op: "eq", value: true }, "t", true],
  [{ op: "eq", value: true }, "true", true],
  [{ op: "eq", value: true }, "f", false],
  [{ op: "ne", value: true }, "f", true],
  [{ op: "eq", value: true }, "yes", false],
  [{ op: "eq", value: true }, null, false],
  [{ op: "gt", value: 100 }, "101", true],
  [{ op: "gt", value: 100 }, "100", false],
  [{ op: "ge", value: 100 }, "100", true],
  [{ op: "lt", value: 0.5 }, "4.9e-1", true],
  [{ op: "le", value: -1 }, "-1.0", true],
  [{ op: "eq", value: 3 }, "3 rows", false],
  [{ op: "ne", value: 3 }, "NaN", false],
  [{ op: "eq", value: "ok" }, "ok", true],
  [{ op: "eq", value: "ok" }, "OK", false],
  [{ op: "ne", value: "ok" }, "bad", true],
])("%j against %j passes: %s", (expectation, actual, passes) => {
  expect(assertionPasses(expectation, actual)).toBe(passes);
});

test("a boolean or string value is compared with eq or ne only", () => {
  const r = AssertionExpectSchema.safeParse({ op: "gt", value: "a" });
  expect(r.success).toBe(false);
  expect(r.error?.issues[0]?.message).toBe("a boolean or string value is compared with eq or ne only");
  expect(AssertionExpectSchema.safeParse({ op: "gt", value: 1 }).success).toBe(true);
});
