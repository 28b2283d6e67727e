// Realistic application data for the benches and the demo: an online shop's tables with mixed types
// (bigint, text, numeric(12,2), timestamptz, boolean, char, inet, uuid, jsonb), prose, names, addresses,
// JSON line items and event payloads, generated server-side by INSERT … SELECT generate_series so that a
// gigabyte loads in minutes (about 10 MB/s on one core).
//
// The prose is not a repeated lorem ipsum: words come from a vocabulary of 4,608 pseudo-words built from
// syllables, drawn with a Zipf-like (1/rank) frequency as in natural language, with commas, sentences of
// 4–18 words and paragraphs of 1–10 sentences. With the ids, md5-based uuids and session ids, random
// amounts, timestamps and IP addresses, pg_dump -Fc (gzip level 6) compresses the dump to 30 % of its raw
// size (zstd -3: the same), as it does real application data; a trivially compressible database would make
// any compressor look fast. The events table (jsonb payloads) is about two thirds of the data, orders
// (jsonb line items) a quarter.
//
// Tables (public): customers; products (one per 20 customers); orders (3 per customer, jsonb line items
// whose numeric total is their sum); events (8 per customer, jsonb payloads with varied keys). Primary
// keys, a unique sku and secondary indexes on orders(customer_id), orders(placed_at) and
// events(customer_id, occurred_at) are in place while loading, as in a live database.
// Deterministic: every batch seeds random() (setseed) from its first id, and INSERT … SELECT runs without
// parallel workers in PostgreSQL 15, so the same target gives the same rows (and the same pg_dump -Fc size).
// Loading again with a larger target appends batches (new ids) until the database is that large. The
// generator's functions live in schema ww_gen only while loading: the database then holds nothing but the
// shop's tables.
import type { Cluster } from "../postgres/index.js";
import {
  BATCH_CUSTOMERS,
  GENERATOR_SQL,
  PRIOR_BYTES_PER_CUSTOMER,
  SCHEMA_SQL,
  batchSql,
  type ShopCounts,
} from "./shop-sql.js";

const MiB = 1024 * 1024;

/** A database's size and its tables' (describeData). */
export interface DataDescription {
  /** pg_database_size. */
  databaseBytes: number;
  /** The tables' heap+TOAST size (pg_table_size: what pg_dump reads). */
  tableBytes: number;
  tableBytesWithIndexes: number;
  tables: Record<string, { rows: number; bytes: number; bytesWithIndexes: number }>;
}

/** Current row counts (max ids) of the shop's tables; zeros before the first load. */
async function currentCounts(cluster: Cluster, db: string): Promise<ShopCounts> {
  const [r] = await cluster.query<Record<keyof ShopCounts, string>>(
    `SELECT (SELECT coalesce(max(id), 0) FROM public.customers) AS customers, (SELECT coalesce(max(id), 0) FROM public.products) AS products,
            (SELECT coalesce(max(id), 0) FROM public.orders) AS orders, (SELECT coalesce(max(id), 0) FROM public.events) AS events`,
    [],
    { db },
  );
  return {
    customers: Number(r!.customers),
    products: Number(r!.products),
    orders: Number(r!.orders),
    events: Number(r!.events),
  };
}

/** The database's size, its public tables' sizes with and without indexes, and rows per table. */
export async function describeData(cluster: Cluster, db: string): Promise<DataDescription> {
  const [d] = await cluster.query<{ n: string }>(`SELECT pg_database_size(current_database()) AS n`, [], { db });
  const tables = await cluster.query<{ name: string; estimate: string; heap: string; total: string }>(
    `SELECT c.relname AS name, c.reltuples::bigint AS estimate, pg_table_size(c.oid) AS heap, pg_total_relation_size(c.oid) AS total
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1`,
    [],
    { db },
  );
  const counts: Record<string, number> = { ...(await currentCounts(cluster, db)) };
  return {
    databaseBytes: Number(d!.n),
    tableBytes: tables.reduce((s, t) => s + Number(t.heap), 0),
    tableBytesWithIndexes: tables.reduce((s, t) => s + Number(t.total), 0),
    tables: Object.fromEntries(
      tables.map((t) => [
        t.name,
        { rows: counts[t.name] ?? Number(t.estimate), bytes: Number(t.heap), bytesWithIndexes: Number(t.total) },
      ]),
    ),
  };
}

/**
 * Loads (or grows) the shop's tables in `db` until pg_database_size is at least `targetMb` MiB, then
 * VACUUM (FREEZE, ANALYZE)s them: the first read after a bulk load would otherwise set hint bits and
 * write pages, and whichever dump came first would pay for that. Returns describeData's figures and
 * the load time. `log` receives a progress line per batch.
 */
export async function loadRealisticData(
  cluster: Cluster,
  db: string,
  targetMb: number,
  { log = () => {} }: { log?: (line: string) => void } = {},
): Promise<DataDescription & { batches: number; loadSeconds: number }> {
  const t0 = performance.now();
  const target = targetMb * MiB;
  await cluster.query(SCHEMA_SQL + GENERATOR_SQL, [], { db });
  let size = (await describeData(cluster, db)).databaseBytes;
  let bytesPerCustomer = PRIOR_BYTES_PER_CUSTOMER;
  let batches = 0;
  try {
    while (size < target) {
      const counts = await currentCounts(cluster, db);
      // Size the batch from what the previous one cost (2 % over, so the last batch ends just past the target).
      const n = Math.max(1_000, Math.min(BATCH_CUSTOMERS, Math.ceil(((target - size) / bytesPerCustomer) * 1.02)));
      const { sql } = batchSql(counts.customers + 1, n, counts);
      const tb = performance.now();
      await cluster.query(sql, [], { db });
      const before = size;
      size = (await describeData(cluster, db)).databaseBytes;
      bytesPerCustomer = Math.max(1, (size - before) / n);
      batches++;
      log(
        `  batch ${batches}: ${n.toLocaleString("en-US")} customers in ${((performance.now() - tb) / 1000).toFixed(1)} s → database ${(size / MiB).toFixed(0)} MiB of ${targetMb} MiB`,
      );
    }
    if (batches > 0) {
      const tv = performance.now();
      await cluster.query(
        `VACUUM (FREEZE, ANALYZE) public.customers, public.products, public.orders, public.events`,
        [],
        { db },
      );
      log(`  VACUUM (FREEZE, ANALYZE) in ${((performance.now() - tv) / 1000).toFixed(1)} s`);
    }
  } finally {
    await cluster.query(`DROP SCHEMA IF EXISTS ww_gen CASCADE`, [], { db });
  }
  const described = await describeData(cluster, db);
  return { ...described, batches, loadSeconds: (performance.now() - t0) / 1000 };
}
