import { type Assertion, assertionPasses, clipText, redactSecrets } from "@walwarden/verifier";
import type pg from "pg";
import type { DrillPredicate } from "@walwarden/verifier";

/** One assertion as the receipt records it. */
export type AssertionResult = DrillPredicate["assertions"][number];

/** How long one assertion may run. */
export const ASSERTION_TIMEOUT_MS = 60_000;
/** Longest value a receipt records (the predicate's limit). */
const MAX_VALUE = 1000;

/** Every value as PostgreSQL's text output: no type parsing, so the receipt shows what psql would. */
export const RAW_TEXT_TYPES = { getTypeParser: () => (value: string) => value };

/**
 * Runs each assertion on the drill's target: alone in a READ ONLY transaction with a statement timeout,
 * as one prepared statement (so one statement: `select 1; drop …` is refused), rolled back. Its value is
 * the one column of the one row in PostgreSQL's text output; anything else is an error, and a failed
 * query's error is recorded (redacted) instead of a value. Values are read with RAW_TEXT_TYPES.
 */
export async function runAssertions(
  client: pg.Client,
  assertions: readonly Assertion[],
  secrets: readonly string[],
): Promise<AssertionResult[]> {
  const out: AssertionResult[] = [];
  for (const [i, a] of assertions.entries()) {
    let actual: string | null = null;
    let error: string | null = null;
    try {
      await client.query("BEGIN READ ONLY");
      await client.query(`SET LOCAL statement_timeout = ${ASSERTION_TIMEOUT_MS}`);
      const r = await client.query({
        name: `walwarden_assertion_${i}`,
        text: a.sql,
        values: [],
        rowMode: "array",
        types: RAW_TEXT_TYPES,
      });
      if (r.fields.length !== 1 || r.rows.length !== 1)
        error = `expected exactly one row of one column, got ${r.rows.length} row${r.rows.length === 1 ? "" : "s"} of ${r.fields.length} column${r.fields.length === 1 ? "" : "s"}`;
      else {
        const v = (r.rows[0] as unknown[])[0];
        actual = v === null || v === undefined ? null : String(v);
        if (actual !== null && actual.length > MAX_VALUE) {
          error = `the value is ${actual.length} characters, more than the ${MAX_VALUE} a receipt records`;
          actual = null;
        }
      }
    } catch (e) {
      error = clipText(redactSecrets((e as Error).message, secrets), MAX_VALUE) || "the query failed";
    } finally {
      await client.query("ROLLBACK").catch(() => {});
    }
    out.push({
      name: a.name,
      sql: a.sql,
      expect: a.expect,
      actual,
      passed: error === null && assertionPasses(a.expect, actual),
      error,
    });
  }
  return out;
}
