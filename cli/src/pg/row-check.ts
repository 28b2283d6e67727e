import { err, ok, type PgDumpPredicate, type Result, redactSecrets } from "@walwarden/verifier";
import { tableRowCounts } from "@walwarden/runner";
import pg from "pg";
import { flushCommits } from "./flush-commits.js";
import type { RestoreSelection } from "./non-empty-objects.js";
import type { RestoreTarget } from "./restore-target.js";

/** The tables checked and their rows. */
export interface RowCheck {
  tables: { schema: string; name: string; rows: number }[];
  rows: number;
}

/** The manifest's tables that a restore of `selection` restores (pg_restore --table matches the name in any selected schema). */
export function selectedTables(tables: PgDumpPredicate["tables"], s: RestoreSelection): PgDumpPredicate["tables"] {
  return tables.filter(
    (t) =>
      (s.schemas.length === 0 || s.schemas.includes(t.schema)) && (s.tables.length === 0 || s.tables.includes(t.name)),
  );
}

/**
 * Makes the restore durable (flushCommits: pg_restore's sessions commit asynchronously), then counts
 * the rows of every restored table in the target and compares them with the counts the signed
 * manifest recorded at backup time (read in the dump's own snapshot): a missing table or any difference
 * fails, naming each.
 */
export async function checkRowCounts(
  target: RestoreTarget,
  expected: PgDumpPredicate["tables"],
  s: RestoreSelection,
): Promise<Result<RowCheck, "check">> {
  const client = new pg.Client(target.client);
  client.on("error", () => {});
  try {
    await client.connect();
    await flushCommits(client);
    const actual = await tableRowCounts(client, { schemas: s.schemas, excludeSchemas: [] });
    const byName = new Map(actual.map((t) => [`${t.schema}.${t.name}`, t.rows]));
    const wrong: string[] = [];
    for (const t of expected) {
      const got = byName.get(`${t.schema}.${t.name}`);
      if (got === undefined) wrong.push(`${t.schema}.${t.name} is missing (the backup has ${t.rows} rows)`);
      else if (got !== t.rows) wrong.push(`${t.schema}.${t.name} has ${got} rows, the backup ${t.rows}`);
    }
    if (wrong.length) {
      const shown = wrong.slice(0, 20).join("; ");
      return err(
        "check",
        `row counts differ from the signed manifest in ${wrong.length} of ${expected.length} tables: ${shown}${wrong.length > 20 ? "; …" : ""}`,
      );
    }
    return ok({ tables: expected.map((t) => ({ ...t })), rows: expected.reduce((n, t) => n + t.rows, 0) });
  } catch (e) {
    return err(
      "check",
      `cannot count the restored rows in ${target.display}: ${redactSecrets((e as Error).message, [target.password])}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}
