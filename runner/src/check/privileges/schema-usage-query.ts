import type { ClientBase } from "pg";
import { schemaParams, type SchemaFilter } from "@walwarden/postgres";
import { DUMPED_RELATION } from "./dumped-relations.js";

/** One schema holding relations a backup reads: whether the role may use it, and how many it holds. */
export interface SchemaUsage {
  schema: string;
  quoted: string;
  usable: boolean;
  tables: number;
  sequences: number;
}

// Only schemas holding tables or sequences matter: pg_dump reads an empty or function-only schema's
// definitions from the catalogs, which needs no USAGE.
const SQL = `SELECT n.nspname AS schema, quote_ident(n.nspname) AS quoted, has_schema_privilege(n.oid, 'USAGE') AS usable,
    count(*) FILTER (WHERE c.relkind IN ('r', 'p'))::int AS tables, count(*) FILTER (WHERE c.relkind = 'S')::int AS sequences
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'S') AND ${DUMPED_RELATION}
  GROUP BY n.oid, n.nspname ORDER BY n.nspname`;

/** Every dumped schema that holds tables or sequences, with USAGE for the current role. */
export async function readSchemaUsage(client: ClientBase, filter: SchemaFilter): Promise<SchemaUsage[]> {
  return (await client.query<SchemaUsage>(SQL, schemaParams(filter))).rows;
}
