import { SCHEMA_CONDITION } from "@walwarden/postgres";

/**
 * A SQL condition on `c` (pg_class) and `n` (its pg_namespace) true for the relations whose data pg_dump
 * reads with the same --schema / --exclude-schema names ($1, $2): those in a dumped schema, except
 * extension members, whose data pg_dump leaves to the extension unless it marked them as configuration
 * (pg_extension_config_dump). Combine with a relkind: 'r' and 'p' are locked and 'r' copied, 'S' read.
 */
export const DUMPED_RELATION = `${SCHEMA_CONDITION}
  AND (NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    OR EXISTS (SELECT 1 FROM pg_extension x WHERE c.oid = ANY (x.extconfig)))`;
