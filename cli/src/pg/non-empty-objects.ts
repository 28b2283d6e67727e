import type { RestoreSelection } from "@walwarden/postgres";
import type { ClientBase } from "pg";

/** What a restore must not collide with: which schemas and tables it restores (empty lists: everything). */
export type { RestoreSelection };

/** One object that makes a target non-empty, for the message. */
export interface ExistingObject {
  kind: string;
  schema: string;
  name: string;
}

/** The objects found (a few, for the message) and how many there are in all. */
export interface ExistingObjects {
  total: number;
  examples: ExistingObject[];
}

// "Empty" (cli/README.md §Empty target): outside the system schemas (pg_catalog, information_schema, pg_*),
// no schema but public, no table, partitioned table, view, materialized view, sequence or foreign table,
// no function, procedure or aggregate, and no domain, enum, range or standalone composite type, except
// objects that belong to an extension (CREATE EXTENSION made them; pg_dump re-creates extensions with
// IF NOT EXISTS, so they never collide). With --schema, only the objects in those schemas count (the
// schemas themselves may exist); with --table, only relations of those names (in those schemas).
const NON_EMPTY_SQL = `
WITH ns AS (
  SELECT n.oid, n.nspname FROM pg_namespace n
  WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
    AND (cardinality($1::text[]) = 0 OR n.nspname = ANY($1::text[]))
),
objects AS (
  SELECT 'schema' AS kind, ns.nspname AS schema, ns.nspname AS name FROM ns
  WHERE ns.nspname <> 'public' AND cardinality($1::text[]) = 0 AND cardinality($2::text[]) = 0
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = ns.oid AND d.deptype = 'e')
  UNION ALL
  SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
    WHEN 'S' THEN 'sequence' ELSE 'foreign table' END, ns.nspname, c.relname
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND (cardinality($2::text[]) = 0 OR c.relname = ANY($2::text[]))
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END, ns.nspname, p.proname
  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  WHERE cardinality($2::text[]) = 0
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'e' THEN 'enum' WHEN 'r' THEN 'range type' ELSE 'type' END, ns.nspname, t.typname
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  WHERE cardinality($2::text[]) = 0 AND t.typtype IN ('b', 'c', 'd', 'e', 'r') AND t.typcategory <> 'A'
    AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
)
SELECT kind, schema, name, count(*) OVER ()::int AS total FROM objects ORDER BY schema, kind, name LIMIT 5`;

/** The objects in the target that a restore of `selection` could collide with (none: the target is empty). */
export async function existingObjects(client: ClientBase, selection: RestoreSelection): Promise<ExistingObjects> {
  const rows = (
    await client.query<ExistingObject & { total: number }>(NON_EMPTY_SQL, [
      [...selection.schemas],
      [...selection.tables],
    ])
  ).rows;
  return { total: rows[0]?.total ?? 0, examples: rows.map(({ kind, schema, name }) => ({ kind, schema, name })) };
}

/** "table public.orders, view public.v" */
export function describeObjects(objects: ExistingObject[]): string {
  return objects.map((o) => (o.kind === "schema" ? `schema ${o.name}` : `${o.kind} ${o.schema}.${o.name}`)).join(", ");
}
