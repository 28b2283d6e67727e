import { quoteIdentifier } from "./sql-identifier.js";

/** Which schemas a backup covers: exactly these (empty: every non-system schema), minus the excluded ones. */
export interface SchemaFilter {
  schemas: readonly string[];
  excludeSchemas: readonly string[];
}

/**
 * A SQL condition on `n.nspname` (n = pg_namespace) matching what pg_dump dumps with the same
 * --schema / --exclude-schema names: never system schemas. Parameters $1 and $2 are the two lists.
 */
export const SCHEMA_CONDITION = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND (cardinality($1::text[]) = 0 OR n.nspname = ANY($1::text[])) AND NOT (n.nspname = ANY($2::text[]))`;

/** The parameters for SCHEMA_CONDITION. */
export function schemaParams(f: SchemaFilter): [string[], string[]] {
  return [[...f.schemas], [...f.excludeSchemas]];
}

/** pg_dump's --schema / --exclude-schema arguments for exact names (double-quoted, so no pattern characters apply). */
export function schemaDumpArgs(f: SchemaFilter): string[] {
  return [
    ...f.schemas.map((s) => `--schema=${quoteIdentifier(s)}`),
    ...f.excludeSchemas.map((s) => `--exclude-schema=${quoteIdentifier(s)}`),
  ];
}
