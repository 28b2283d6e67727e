import type { ClientBase } from "pg";
import { schemaParams, type SchemaFilter } from "@walwarden/postgres";
import { DUMPED_RELATION } from "./dumped-relations.js";

/** A table whose row-level security pg_dump (which sets row_security = off) will run into. */
export interface RlsTable {
  schema: string;
  quotedSchema: string;
  name: string;
  quotedName: string;
  /** The role owns it (or inherits its owner) and FORCE ROW LEVEL SECURITY applies the policies to it anyway. */
  ownedButForced: boolean;
}

// pg_dump copies each table ('r': partitions and inheritance children too, each on its own; a partitioned
// parent's own RLS does not apply to that copy). Superusers and BYPASSRLS roles (the role's own
// attribute, never inherited) skip RLS; so does the owner, or a member inheriting from it, unless FORCE.
const SQL = `SELECT n.nspname AS schema, quote_ident(n.nspname) AS "quotedSchema", c.relname AS name,
    quote_ident(c.relname) AS "quotedName", pg_has_role(c.relowner, 'USAGE') AS "ownedButForced"
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND c.relrowsecurity AND ${DUMPED_RELATION}
    AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE'))
    AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = current_user AND (r.rolsuper OR r.rolbypassrls))
  ORDER BY 1, 3`;

/** The dumped tables whose row-level security would stop pg_dump run as the current role. */
export async function readRlsTables(client: ClientBase, filter: SchemaFilter): Promise<RlsTable[]> {
  return (await client.query<RlsTable>(SQL, schemaParams(filter))).rows;
}
