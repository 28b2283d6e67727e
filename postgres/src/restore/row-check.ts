import { err, ok, type PgDumpPredicate, type Result, redactSecrets } from "@walwarden/verifier";
import pg from "pg";
import { rowCountDifferences } from "../row-count-differences.js";
import { tableRowCounts } from "../table-row-counts.js";
import type { PgConnection } from "../connection.js";
import { flushCommits } from "./flush-commits.js";
import type { RestoreSelection } from "./selection.js";

/** The tables checked and their rows. */
export interface RowCheck {
  tables: { schema: string; name: string; rows: number }[];
  rows: number;
}

/** Differences named in the failure message (the count says how many there are in all). */
const SHOWN_DIFFERENCES = 20;

/** The manifest's tables that a restore of `selection` restores (pg_restore --table matches the name in any selected schema). */
export function selectedTables(
  tables: PgDumpPredicate["tables"],
  selection: RestoreSelection,
): PgDumpPredicate["tables"] {
  return tables.filter(
    (t) =>
      (selection.schemas.length === 0 || selection.schemas.includes(t.schema)) &&
      (selection.tables.length === 0 || selection.tables.includes(t.name)),
  );
}

/**
 * Makes the restore durable (flushCommits: pg_restore's sessions commit asynchronously), then counts
 * the rows of every restored table in the target and compares them with the counts the signed
 * manifest recorded at backup time (read in the dump's own snapshot): a missing table or any difference
 * fails, naming each.
 */
export async function checkRowCounts(
  target: Pick<PgConnection, "client" | "display" | "password">,
  expected: PgDumpPredicate["tables"],
  selection: RestoreSelection,
): Promise<Result<RowCheck, "check">> {
  const client = new pg.Client(target.client);
  client.on("error", () => {});
  try {
    await client.connect();
    await flushCommits(client);
    // Counted as the runner counted in the dump's snapshot (@walwarden/postgres): a difference is the restore's.
    const counted = await tableRowCounts(client, { schemas: selection.schemas, excludeSchemas: [] });
    const differences = rowCountDifferences(expected, counted);
    if (differences.length) {
      const shown = differences.slice(0, SHOWN_DIFFERENCES).join("; ");
      return err(
        "check",
        `row counts differ from the signed manifest in ${differences.length} of ${expected.length} tables: ${shown}${differences.length > SHOWN_DIFFERENCES ? "; …" : ""}`,
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
