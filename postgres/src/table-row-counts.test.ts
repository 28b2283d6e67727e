// tableRowCounts against a real PostgreSQL: which relations count (ordinary tables and partitions, not
// partitioned parents, views or system schemas), the schema filter pg_dump would apply, identifiers
// that need quoting, more tables than one query counts, and counts read inside one snapshot.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "@walwarden/testing/postgres";
import { tableRowCounts } from "./table-row-counts.js";

let cluster: Cluster;
const EVERY_SCHEMA = { schemas: [], excludeSchemas: [] };

beforeAll(async () => {
  cluster = await startCluster({ name: "postgres-row-counts" });
  await cluster.createDatabase("shop");
  await cluster.query(
    `CREATE SCHEMA app;
     CREATE SCHEMA "Odd ""Schema""";
     CREATE TABLE public.customers (id int);
     INSERT INTO public.customers SELECT generate_series(1, 7);
     CREATE TABLE app.events (id int, at date NOT NULL) PARTITION BY RANGE (at);
     CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
     CREATE TABLE app.events_2027 PARTITION OF app.events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
     INSERT INTO app.events SELECT g, '2026-06-01'::date + g FROM generate_series(1, 300) g;
     CREATE VIEW app.customer_ids AS SELECT id FROM public.customers;
     CREATE MATERIALIZED VIEW app.customer_count AS SELECT count(*) FROM public.customers;
     CREATE TABLE "Odd ""Schema"""."Mixed Case ""t""" (x int);
     INSERT INTO "Odd ""Schema"""."Mixed Case ""t""" VALUES (1), (2);`,
    [],
    { db: "shop" },
  );
  await cluster.createDatabase("many");
  // 250 tables: three UNION ALL queries of at most 100, each table holding as many rows as its number.
  await cluster.query(
    `DO $$ BEGIN FOR i IN 1..250 LOOP
       EXECUTE format('CREATE TABLE t%s (x int)', lpad(i::text, 3, '0'));
       EXECUTE format('INSERT INTO t%s SELECT generate_series(1, %s)', lpad(i::text, 3, '0'), i);
     END LOOP; END $$;`,
    [],
    { db: "many" },
  );
}, 120_000);
afterAll(async () => cluster?.stop());

async function withClient<T>(db: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: cluster.url(db) });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

describe("tableRowCounts", () => {
  it("counts ordinary tables and partitions, sorted by schema then name; not parents, views or system tables", async () => {
    const counts = await withClient("shop", (c) => tableRowCounts(c, EVERY_SCHEMA));
    expect(counts).toEqual([
      { schema: 'Odd "Schema"', name: 'Mixed Case "t"', rows: 2 },
      { schema: "app", name: "events_2026", rows: 213 },
      { schema: "app", name: "events_2027", rows: 87 },
      { schema: "public", name: "customers", rows: 7 },
    ]);
  });

  it("applies the schema filter as pg_dump's --schema and --exclude-schema do", async () => {
    expect(await withClient("shop", (c) => tableRowCounts(c, { schemas: ["app"], excludeSchemas: [] }))).toEqual([
      { schema: "app", name: "events_2026", rows: 213 },
      { schema: "app", name: "events_2027", rows: 87 },
    ]);
    const excluded = await withClient("shop", (c) =>
      tableRowCounts(c, { schemas: [], excludeSchemas: ["app", 'Odd "Schema"'] }),
    );
    expect(excluded).toEqual([{ schema: "public", name: "customers", rows: 7 }]);
    expect(await withClient("shop", (c) => tableRowCounts(c, { schemas: ["nope"], excludeSchemas: [] }))).toEqual([]);
  });

  it("counts more tables than one query holds, each with its own rows", async () => {
    const counts = await withClient("many", (c) => tableRowCounts(c, EVERY_SCHEMA));
    expect(counts).toHaveLength(250);
    const expected = counts.map((_, i) => ({
      schema: "public",
      name: `t${String(i + 1).padStart(3, "0")}`,
      rows: i + 1,
    }));
    expect(counts).toEqual(expected);
  });

  it("reads the client's snapshot: rows committed elsewhere after it began are not counted", async () => {
    await cluster.createDatabase("snapshot");
    await cluster.query("CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)", [], { db: "snapshot" });
    await withClient("snapshot", async (c) => {
      await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      expect(await tableRowCounts(c, EVERY_SCHEMA)).toEqual([{ schema: "public", name: "orders", rows: 1 }]);
      await cluster.query("INSERT INTO orders VALUES (2), (3)", [], { db: "snapshot" });
      expect(await tableRowCounts(c, EVERY_SCHEMA)).toEqual([{ schema: "public", name: "orders", rows: 1 }]);
      await c.query("ROLLBACK");
      expect(await tableRowCounts(c, EVERY_SCHEMA)).toEqual([{ schema: "public", name: "orders", rows: 3 }]);
    });
  });
});
