import {
  flushCommits,
  type PgConnection,
  schemaFingerprint,
  type SchemaFilter,
  tableRowCounts,
} from "@walwarden/postgres";
import {
  type Assertion,
  clipText,
  type DrillPredicate,
  type PgDumpPredicate,
  redactSecrets,
} from "@walwarden/verifier";
import pg from "pg";
import { type AssertionResult, runAssertions } from "./assertions.js";

/** What the checks measured, as the receipt records it. */
export interface CheckResults {
  tables: DrillPredicate["tables"];
  fingerprint: string | null;
  assertions: AssertionResult[];
  /** Why counts or the fingerprint could not be taken at all (the target went away…), if so. */
  error: string | undefined;
}

/**
 * Checks a restored target: makes pg_restore's asynchronous commits durable, then counts every manifest
 * table's rows (tableRowCounts: the code the backup counted with; a table not found is not counted), takes
 * the schema fingerprint with the schema filter the backup used (schemaFingerprint, exactly as the backup
 * took it), and runs the assertions. Everything as the target's connection user.
 */
export async function runChecks(
  target: PgConnection,
  manifest: Pick<PgDumpPredicate, "tables">,
  filter: SchemaFilter,
  assertions: readonly Assertion[],
  secrets: readonly string[],
): Promise<CheckResults> {
  const notCounted = () =>
    manifest.tables.map((t) => ({ schema: t.schema, name: t.name, expectedRows: t.rows, actualRows: null }));
  // Default type parsing: the fingerprint hashes the values as the backup's client parsed them.
  const client = new pg.Client({ ...target.client, connectionTimeoutMillis: 15_000 });
  client.on("error", () => {});
  const all = [...secrets, target.password ?? ""].filter(Boolean);
  try {
    await client.connect();
  } catch (e) {
    const error = `cannot connect to the drill target: ${redactSecrets((e as Error).message, all)}`;
    return { tables: notCounted(), fingerprint: null, assertions: assertions.map((a) => failed(a, error)), error };
  }
  try {
    let tables: DrillPredicate["tables"];
    let fingerprint: string | null = null;
    let error: string | undefined;
    try {
      await flushCommits(client);
      const counted = new Map(
        (await tableRowCounts(client, filter)).map((t) => [`${t.schema}\u0000${t.name}`, Number(t.rows)]),
      );
      tables = manifest.tables.map((t) => ({
        schema: t.schema,
        name: t.name,
        expectedRows: t.rows,
        actualRows: counted.get(`${t.schema}\u0000${t.name}`) ?? null,
      }));
      fingerprint = await schemaFingerprint(client, filter);
    } catch (e) {
      error = `cannot count the restored rows or read the schema: ${redactSecrets((e as Error).message, all)}`;
      tables = notCounted();
    }
    return { tables, fingerprint, assertions: await runAssertions(client, assertions, all), error };
  } finally {
    await client.end().catch(() => {});
  }
}

function failed(a: Assertion, error: string): AssertionResult {
  return { name: a.name, sql: a.sql, expect: a.expect, actual: null, passed: false, error: clipText(error, 1000) };
}
