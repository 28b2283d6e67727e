// Per-table digests of a database's rows, to compare a source with its restore.
import type { Cluster } from "../postgres/index.js";

/** A table's row count and digest. */
export interface TableChecksum {
  rows: number;
  md5: string;
}

/** A quoted identifier. */
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Rows and a digest of every ordinary table outside the system schemas (partitions counted apart), by
 * "schema.table", in `schemas` only if given: md5 of the rows' md5s (of each row's text form) in sorted
 * order, so two databases compare equal exactly when they hold the same rows (in any physical order),
 * hashing per row so a large table never becomes one huge string.
 */
export async function tableChecksums(
  cluster: Cluster,
  db: string,
  schemas?: string[],
): Promise<Record<string, TableChecksum>> {
  const tables = await cluster.query<{ s: string; t: string }>(
    `SELECT n.nspname AS s, c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2`,
    [],
    { db },
  );
  const out: Record<string, TableChecksum> = {};
  for (const { s, t } of tables) {
    if (schemas && !schemas.includes(s)) continue;
    const [r] = await cluster.query<{ n: string; h: string }>(
      `SELECT count(*) AS n, md5(coalesce(string_agg(h, '' ORDER BY h), '')) AS h FROM (SELECT md5(x::text) AS h FROM ONLY ${ident(s)}.${ident(t)} x) r`,
      [],
      { db },
    );
    out[`${s}.${t}`] = { rows: Number(r!.n), md5: r!.h };
  }
  return out;
}
