import { z } from "zod";
import { singleLine, wellFormed } from "../schema/common.js";

/** How an assertion's one value is compared with its expected value. */
export const ASSERTION_OPS = ["eq", "ne", "lt", "le", "gt", "ge"] as const;
/** A comparison. */
export type AssertionOp = (typeof ASSERTION_OPS)[number];

/**
 * What an assertion expects of its query's one value. A boolean or a string is compared for equality only
 * (`eq`, `ne`); a number with any operator.
 */
export const AssertionExpectSchema = z
  .strictObject({
    op: z.enum(ASSERTION_OPS),
    value: z.union([z.boolean(), z.number().finite(), wellFormed(z.string().max(1000))]),
  })
  .refine((e) => typeof e.value === "number" || e.op === "eq" || e.op === "ne", {
    message: "a boolean or string value is compared with eq or ne only",
    path: ["op"],
  });
/** An assertion's expectation. */
export type AssertionExpect = z.infer<typeof AssertionExpectSchema>;

/** Most assertions one drill policy holds. */
export const MAX_ASSERTIONS = 20;

/** One SQL assertion of a drill policy: a query returning one row of one column, and what that value must be. */
export const AssertionSchema = z.strictObject({
  name: singleLine(z.string().trim().min(1).max(100)),
  sql: wellFormed(z.string().trim().min(1).max(4000)),
  expect: AssertionExpectSchema,
});
/** A drill assertion. */
export type Assertion = z.infer<typeof AssertionSchema>;

// PostgreSQL's text output of a number: an integer, a decimal or the exponent form of float8, plus the
// special values; anything else is not a number and fails a numeric comparison.
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Whether a value, in PostgreSQL's text output (null for SQL NULL), meets an expectation. A boolean
 * expectation reads `t`/`true` and `f`/`false`; a number compares numerically (text that is not a number
 * fails); a string compares exactly. NULL never passes. The runner decides with this function and the
 * verifier recomputes each receipt's verdict with it.
 */
export function assertionPasses(expect: AssertionExpect, actual: string | null): boolean {
  if (actual === null) return false;
  const { op, value } = expect;
  if (typeof value === "boolean") {
    const b = actual === "t" || actual === "true" ? true : actual === "f" || actual === "false" ? false : undefined;
    if (b === undefined) return false;
    return op === "eq" ? b === value : b !== value;
  }
  if (typeof value === "string") return op === "eq" ? actual === value : actual !== value;
  if (!NUMERIC_TEXT.test(actual)) return false;
  const n = Number(actual);
  switch (op) {
    case "eq":
      return n === value;
    case "ne":
      return n !== value;
    case "lt":
      return n < value;
    case "le":
      return n <= value;
    case "gt":
      return n > value;
    case "ge":
      return n >= value;
  }
}
