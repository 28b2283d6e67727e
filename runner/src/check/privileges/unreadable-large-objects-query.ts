import type { ClientBase } from "pg";
import type { SchemaFilter } from "@walwarden/postgres";

/** Large objects the role cannot read: how many, and the first few oids. */
export interface UnreadableLargeObjects {
  count: number;
  sample: string[];
}

// pg_dump reads every large object unless --schema names schemas ($1 non-empty). has_largeobject_privilege
// only arrives in PostgreSQL 17, so this is its rule spelled out for every version: superuser, the owner
// (or a role inheriting it), a SELECT grant to PUBLIC or to a role inherited, or lo_compat_privileges on.
// pg_read_all_data does not cover large objects.
const SQL = `SELECT count(*)::int AS count, coalesce((array_agg(m.oid::text ORDER BY m.oid))[1:5], '{}') AS sample
  FROM pg_largeobject_metadata m
  WHERE cardinality($1::text[]) = 0 AND NOT current_setting('lo_compat_privileges')::bool
    AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user)
    AND NOT pg_has_role(m.lomowner, 'USAGE')
    AND NOT EXISTS (SELECT 1 FROM aclexplode(m.lomacl) a WHERE a.privilege_type = 'SELECT'
      AND CASE WHEN a.grantee = 0 THEN true ELSE pg_has_role(a.grantee, 'USAGE') END)`;

/** The large objects a backup would dump that the current role cannot read. */
export async function readUnreadableLargeObjects(
  client: ClientBase,
  filter: SchemaFilter,
): Promise<UnreadableLargeObjects> {
  return (await client.query<UnreadableLargeObjects>(SQL, [[...filter.schemas]])).rows[0]!;
}
