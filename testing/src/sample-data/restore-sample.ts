// A small source database with what a restore must bring back: two schemas, a partitioned table, a
// sequence-backed key, a view, a function, an enum, and a few thousand rows; and its custom-format dump
// made as the runner makes it (pg_dump -Fc -Z0 through a pipe, then zstd). For the restore code's tests
// (@walwarden/postgres) and the CLI's.
import { spawn } from "node:child_process";
import type { Cluster } from "../postgres/index.js";

const SQL = `
CREATE SCHEMA app;
CREATE TYPE app.status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE public.customers (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE);
CREATE TABLE app.orders (id bigserial PRIMARY KEY, customer_id int REFERENCES public.customers(id), status app.status NOT NULL, total numeric(10,2), at timestamptz NOT NULL);
CREATE INDEX orders_customer ON app.orders (customer_id);
CREATE TABLE app.events (id int, at date NOT NULL, what text) PARTITION BY RANGE (at);
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE app.events_2027 PARTITION OF app.events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
CREATE VIEW app.order_totals AS SELECT customer_id, sum(total) AS total FROM app.orders GROUP BY 1;
CREATE FUNCTION app.order_count(c int) RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM app.orders WHERE customer_id = c';
INSERT INTO public.customers (name, email) SELECT 'customer ' || g, 'c' || g || '@example.com' FROM generate_series(1, 500) g;
INSERT INTO app.orders (customer_id, status, total, at) SELECT 1 + g % 500, (ARRAY['new','paid','shipped'])[1 + g % 3]::app.status, (g % 1000) / 10.0, '2026-11-01'::timestamptz + g * interval '1 minute' FROM generate_series(1, 4000) g;
INSERT INTO app.events SELECT g, '2026-06-01'::date + (g % 400), 'event ' || g FROM generate_series(1, 1500) g;
`;

/** Creates the sample database `name` on the cluster. */
export async function createRestoreSampleDb(cluster: Cluster, name: string): Promise<void> {
  await cluster.createDatabase(name);
  await cluster.query(SQL, [], { db: name });
}

/** pg_dump --format=custom --compress=0 of `db` piped into zstd, as the runner stores it. */
export function zstdDumpOf(cluster: Cluster, db: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const u = new URL(cluster.url(db));
    const dump = spawn(
      `${cluster.binDir}/pg_dump`,
      [
        "--format=custom",
        "--compress=0",
        "--no-owner",
        "--no-privileges",
        `--dbname=host=${u.hostname} port=${u.port} user=${cluster.superuser} dbname=${db}`,
      ],
      {
        env: { ...process.env, PGPASSWORD: cluster.password },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const zstd = spawn("zstd", ["-q", "-c", "-2"], { stdio: [dump.stdout, "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    zstd.stdout.on("data", (c: Buffer) => chunks.push(c));
    let pending = 2;
    const done = (name: string) => (code: number | null) => {
      if (code !== 0) return reject(new Error(`${name} exited ${code}`));
      if (--pending === 0) resolve(Buffer.concat(chunks));
    };
    dump.on("exit", done("pg_dump")); // not close: its stdout belongs to zstd, so Node never sees it end
    zstd.on("close", done("zstd"));
  });
}
