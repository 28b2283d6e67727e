// A small sample database for the runner's and the CLI's tests: mixed types (text with newlines and tabs,
// jsonb, numeric, bytea, timestamps, arrays, NULLs), two schemas, a partitioned table, a view.
import type { Cluster } from "../postgres/index.js";

/** Creates `db` with tables in `public` and `sales` (a few thousand rows of mixed types). */
export async function createSampleDatabase(pg: Cluster, db: string): Promise<void> {
  await pg.createDatabase(db);
  await pg.query(
    `CREATE SCHEMA sales;
     CREATE TABLE public.customers (id bigserial PRIMARY KEY, name text NOT NULL, email text UNIQUE, notes text, profile jsonb, created_at timestamptz DEFAULT now());
     CREATE TABLE sales.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint REFERENCES public.customers(id), total numeric(14,4) CHECK (total >= 0), items text[], paid boolean, raw bytea);
     CREATE INDEX orders_customer ON sales.orders (customer_id);
     CREATE TABLE sales.events (at date NOT NULL, kind text, payload jsonb) PARTITION BY RANGE (at);
     CREATE TABLE sales.events_2025 PARTITION OF sales.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
     CREATE TABLE sales.events_2026 PARTITION OF sales.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
     CREATE TABLE public.empty_table (id int);
     CREATE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE total > 1000;
     INSERT INTO public.customers (name, email, notes, profile)
       SELECT 'Customer ' || i || ' ''quoted'' ünïcödé', 'c' || i || '@example.com',
              CASE WHEN i % 7 = 0 THEN NULL ELSE E'line one\\nline two\\ttabbed \\\\ backslash ' || md5(i::text) END,
              jsonb_build_object('tier', i % 4, 'tags', jsonb_build_array('a', i), 'score', i * 1.5)
       FROM generate_series(1, 3000) i;
     INSERT INTO sales.orders (customer_id, total, items, paid, raw)
       SELECT 1 + (i % 3000), round((random() * 5000)::numeric, 4), ARRAY['sku-' || i, 'sku-' || (i * 7)], i % 2 = 0, decode(md5(i::text), 'hex')
       FROM generate_series(1, 5000) i;
     INSERT INTO sales.events SELECT date '2025-06-01' + (i % 400), 'kind' || (i % 5), jsonb_build_object('n', i) FROM generate_series(1, 4000) i;`,
    [],
    { db },
  );
}

/** Adds `mb` megabytes of hard-to-compress rows (hex text) to `db` in table public.bulk: for multi-part uploads. */
export async function addBulkData(pg: Cluster, db: string, mb: number): Promise<void> {
  await pg.query(`CREATE TABLE IF NOT EXISTS public.bulk (id bigint PRIMARY KEY, blob text)`, [], { db });
  // One row ≈ 1 KiB of md5 hex: zstd compresses it about 2×, so the stored dump is still several parts.
  await pg.query(
    `INSERT INTO public.bulk SELECT i, (SELECT string_agg(md5(i::text || '.' || j), '') FROM generate_series(1, 32) j) FROM generate_series(1, $1::int) i`,
    [mb * 1024],
    { db },
  );
}
