import { canonicalBytes, sha256, toHex } from "@walwarden/verifier";
import type { ClientBase } from "pg";
import { SCHEMA_CONDITION, schemaParams, type SchemaFilter } from "./schema-filter.js";

const COLUMNS_SQL = `SELECT n.nspname, c.relname, c.relkind::text, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
    pg_get_expr(ad.adbin, ad.adrelid) AS default
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${SCHEMA_CONDITION}
  ORDER BY n.nspname, c.relname, a.attnum`;
const CONSTRAINTS_SQL = `SELECT n.nspname, c.relname, con.conname, pg_get_constraintdef(con.oid) AS def
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE ${SCHEMA_CONDITION} ORDER BY 1, 2, 3`;
const INDEXES_SQL = `SELECT n.nspname, t.relname, i.relname AS index, pg_get_indexdef(i.oid) AS def
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
  WHERE ${SCHEMA_CONDITION} ORDER BY 1, 2, 3`;

/**
 * SHA-256 (hex) of the JCS form of the schema's shape: every table, view and foreign table with its
 * columns in order (name, type, NOT NULL, default), constraints and index definitions. Owners, grants
 * and physical details are left out, so a restore with --no-owner into another server of the same major
 * version has the same fingerprint. Run inside the dump's snapshot.
 */
export async function schemaFingerprint(client: ClientBase, filter: SchemaFilter): Promise<string> {
  const params = schemaParams(filter);
  const [columns, constraints, indexes] = [
    (await client.query({ text: COLUMNS_SQL, values: params, rowMode: "array" })).rows,
    (await client.query({ text: CONSTRAINTS_SQL, values: params, rowMode: "array" })).rows,
    (await client.query({ text: INDEXES_SQL, values: params, rowMode: "array" })).rows,
  ];
  return toHex(sha256(canonicalBytes({ v: 1, columns, constraints, indexes })));
}
