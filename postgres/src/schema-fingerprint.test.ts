// schemaFingerprint against a real PostgreSQL: equal for the same schema in another database (what a
// restore compares), unchanged by data, owners and grants, changed by each part of the shape it covers,
// and limited to the filtered schemas.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "@walwarden/testing/postgres";
import type { SchemaFilter } from "./schema-filter.js";
import { schemaFingerprint } from "./schema-fingerprint.js";

let cluster: Cluster;
const EVERY_SCHEMA: SchemaFilter = { schemas: [], excludeSchemas: [] };
const SHAPE = `
  CREATE SCHEMA app;
  CREATE TABLE public.customers (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE);
  CREATE TABLE app.orders (id bigint PRIMARY KEY, customer_id int REFERENCES public.customers(id), total numeric(10,2) DEFAULT 0);
  CREATE INDEX orders_customer ON app.orders (customer_id);
  CREATE VIEW app.order_totals AS SELECT customer_id, sum(total) AS total FROM app.orders GROUP BY 1;
  CREATE SCHEMA scratch;
  CREATE TABLE scratch.notes (body text);`;

let n = 0;
/** A fresh database holding SHAPE, then `change` (its own name, so each test starts from the same shape). */
async function databaseWith(change = ""): Promise<string> {
  const db = `fp${++n}`;
  await cluster.createDatabase(db);
  await cluster.query(SHAPE + change, [], { db });
  return db;
}

async function fingerprintOf(db: string, filter: SchemaFilter = EVERY_SCHEMA): Promise<string> {
  const client = new pg.Client({ connectionString: cluster.url(db) });
  await client.connect();
  try {
    return await schemaFingerprint(client, filter);
  } finally {
    await client.end();
  }
}

let original: string;
beforeAll(async () => {
  cluster = await startCluster({ name: "postgres-fingerprint" });
  original = await fingerprintOf(await databaseWith());
}, 120_000);
afterAll(async () => cluster?.stop());

describe("schemaFingerprint", () => {
  it("is a SHA-256, the same for the same shape in another database whatever its rows, owners and grants", async () => {
    expect(original).toMatch(/^[0-9a-f]{64}$/);
    const copy = await databaseWith(`
      INSERT INTO public.customers (name) SELECT 'c' || g FROM generate_series(1, 50) g;
      CREATE ROLE fp_owner; ALTER TABLE app.orders OWNER TO fp_owner; GRANT SELECT ON public.customers TO fp_owner;`);
    expect(await fingerprintOf(copy)).toBe(original);
  });

  it.each([
    ["a column's type", "ALTER TABLE public.customers ALTER COLUMN name TYPE varchar(200);"],
    ["a column's NOT NULL", "ALTER TABLE public.customers ALTER COLUMN email SET NOT NULL;"],
    ["a column's default", "ALTER TABLE app.orders ALTER COLUMN total SET DEFAULT 1;"],
    ["a new column", "ALTER TABLE public.customers ADD COLUMN phone text;"],
    ["a constraint", "ALTER TABLE app.orders ADD CONSTRAINT positive CHECK (total >= 0);"],
    ["an index", "CREATE INDEX customers_name ON public.customers (name);"],
    ["a view", "CREATE VIEW public.names AS SELECT name FROM public.customers;"],
  ])("changes with %s", async (_, change) => {
    expect(await fingerprintOf(await databaseWith(change))).not.toBe(original);
  });

  it("covers only the filtered schemas", async () => {
    const changed = await databaseWith("ALTER TABLE scratch.notes ADD COLUMN at date;");
    expect(await fingerprintOf(changed)).not.toBe(original);
    const withoutScratch = { schemas: [], excludeSchemas: ["scratch"] };
    const baseline = await databaseWith();
    expect(await fingerprintOf(changed, withoutScratch)).toBe(await fingerprintOf(baseline, withoutScratch));
    const onlyApp = { schemas: ["app"], excludeSchemas: [] };
    expect(await fingerprintOf(changed, onlyApp)).toBe(await fingerprintOf(baseline, onlyApp));
    expect(await fingerprintOf(baseline, onlyApp)).not.toBe(original);
  });
});
