import type { ClientBase } from "pg";
import { SCHEMA_CONDITION, schemaParams, type SchemaFilter } from "./schema-filter.js";
import { quoteIdentifier } from "./sql-identifier.js";

/** Rows in one table. */
export interface TableRows {
  schema: string;
  name: string;
  rows: number;
}

/** Tables pg_dump dumps the data of: ordinary tables (partitions included), not extension members. */
const TABLES_SQL = `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND ${SCHEMA_CONDITION}
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  ORDER BY 1, 2`;

/** Tables counted per query (one UNION ALL statement), so thousands of tables cost tens of round trips. */
const PER_QUERY = 100;

/**
 * Counts every table's rows in the client's current transaction: run inside the snapshot the dump
 * uses and the counts describe exactly the dumped data. Sorted by schema, then name.
 */
export async function tableRowCounts(client: ClientBase, filter: SchemaFilter): Promise<TableRows[]> {
  const tables = (await client.query<{ schema: string; name: string }>(TABLES_SQL, schemaParams(filter))).rows;
  const out: TableRows[] = [];
  for (let i = 0; i < tables.length; i += PER_QUERY) {
    const chunk = tables.slice(i, i + PER_QUERY);
    const sql = chunk
      .map(
        (t, j) =>
          `SELECT ${j} AS i, count(*)::int8 AS n FROM ONLY ${quoteIdentifier(t.schema)}.${quoteIdentifier(t.name)}`,
      )
      .join(" UNION ALL ");
    const rows = (await client.query<{ i: number; n: string }>(sql)).rows;
    const byIndex = new Map(rows.map((r) => [Number(r.i), Number(r.n)]));
    for (const [j, t] of chunk.entries()) out.push({ schema: t.schema, name: t.name, rows: byIndex.get(j) ?? 0 });
  }
  return out;
}
