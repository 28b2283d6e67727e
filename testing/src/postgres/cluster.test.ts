// Proves the throwaway PostgreSQL clusters the tests stand on: the OS package's PostgreSQL 15 on loopback
// with a password and no durability, and the embedded PostgreSQL 18 (no pg_dump).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedPgBinDir, startCluster, stopAllClusters, type Cluster } from "./index.js";

afterAll(async () => {
  await stopAllClusters();
});

describe("a throwaway PostgreSQL 15 cluster", () => {
  let pg: Cluster;
  beforeAll(async () => {
    pg = await startCluster({ name: "pg15" });
  });

  it("runs the OS package's server on loopback with a password", async () => {
    expect(pg.major).toBe(15);
    expect(pg.version).toMatch(/^15\.\d+$/);
    expect(pg.url()).toBe(`postgresql://postgres:${encodeURIComponent(pg.password)}@127.0.0.1:${pg.port}/postgres`);
    const [settings] = await pg.query<{ fsync: string; listen: string; hba: string }>(
      "SELECT current_setting('fsync') AS fsync, current_setting('listen_addresses') AS listen, (SELECT string_agg(DISTINCT auth_method, ',') FROM pg_hba_file_rules WHERE type = 'host') AS hba",
    );
    expect(settings).toEqual({ fsync: "off", listen: "127.0.0.1", hba: "scram-sha-256" });
  });

  it("creates a database and a table and queries it", async () => {
    const url = await pg.createDatabase("shop");
    expect(url).toMatch(/\/shop$/);
    await pg.query("CREATE TABLE orders (id int PRIMARY KEY, total numeric NOT NULL)", [], { db: "shop" });
    await pg.query("INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 1000) g", [], { db: "shop" });
    const [row] = await pg.query<{ n: string; sum: string }>(
      "SELECT count(*) AS n, sum(total) AS sum FROM orders WHERE id > $1",
      [500],
      { db: "shop" },
    );
    expect(row).toEqual({ n: "500", sum: "562875.0" });
  });

  it("refuses a wrong password over TCP", async () => {
    const { default: pgLib } = await import("pg");
    const client = new pgLib.Client({ connectionString: pg.url("postgres", "postgres", "wrong") });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
  });

  it("kill() takes the server down at once", async () => {
    await pg.kill();
    await expect(pg.query("SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
    await pg.stop();
    expect(existsSync(pg.dir)).toBe(false);
  });
});

describe("the embedded PostgreSQL 18 cluster", () => {
  it("starts the npm package's server, which has no pg_dump", async () => {
    const bin = embeddedPgBinDir();
    expect(existsSync(join(bin, "pg_dump"))).toBe(false);
    const pg = await startCluster({ binDir: bin, name: "pg18" });
    expect(pg.major).toBe(18);
    const [row] = await pg.query<{ server_version: string }>("SHOW server_version");
    expect(Number(row?.server_version.split(".")[0])).toBe(18);
    await pg.stop();
  });
});
