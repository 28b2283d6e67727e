import type { ClientBase } from "pg";
import { schemaParams, type SchemaFilter } from "@walwarden/postgres";
import { DUMPED_RELATION } from "./dumped-relations.js";

/** A table or sequence the role cannot SELECT. */
export interface UnreadableRelation {
  schema: string;
  quotedSchema: string;
  name: string;
  quotedName: string;
  kind: "table" | "sequence";
}

// pg_dump LOCKs every table and partitioned table (PostgreSQL ≤ 15 wants table-level SELECT for that,
// column grants do not do), COPYs each table and reads each sequence's last_value (USAGE is not enough).
const SQL = `SELECT n.nspname AS schema, quote_ident(n.nspname) AS "quotedSchema", c.relname AS name,
    quote_ident(c.relname) AS "quotedName", CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END AS kind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'S') AND ${DUMPED_RELATION}
    AND NOT CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(c.oid, 'SELECT') ELSE has_table_privilege(c.oid, 'SELECT') END
  ORDER BY 1, 3`;

/** The dumped tables and sequences the current role cannot SELECT, by schema then name. */
export async function readUnreadableRelations(client: ClientBase, filter: SchemaFilter): Promise<UnreadableRelation[]> {
  return (await client.query<UnreadableRelation>(SQL, schemaParams(filter))).rows;
}
