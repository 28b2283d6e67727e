import { pgConnection } from "@walwarden/postgres";
import { describe, expect, it } from "vitest";
import { refuseSourceServer, sameServer, scratchDatabaseName } from "./server-target.js";

const conn = (url: string) => {
  const c = pgConnection(url, {}, "test");
  if (!c.ok) throw new Error(c.message);
  return c.value;
};

describe("the scratch server", () => {
  it("is the same server as a source when an address in common and the port agree (any loopback address is one)", () => {
    expect(
      sameServer({ addresses: ["10.0.0.5"], port: 5432 }, { addresses: ["10.0.0.5", "10.0.0.6"], port: 5432 }),
    ).toBe(true);
    expect(sameServer({ addresses: ["127.0.0.1"], port: 5432 }, { addresses: ["::1"], port: 5432 })).toBe(true);
    expect(sameServer({ addresses: ["10.0.0.5"], port: 5432 }, { addresses: ["10.0.0.5"], port: 5433 })).toBe(false);
    expect(sameServer({ addresses: ["10.0.0.5"], port: 5432 }, { addresses: ["10.0.0.6"], port: 5432 })).toBe(false);
  });

  it("refuses localhost when a source is 127.0.0.1 on the same port, whatever the database or user; another port is another server", async () => {
    const sources = { db_main: conn("postgres://backup:pw@127.0.0.1:6543/app") };
    expect(await refuseSourceServer(conn("postgres://drill@localhost:6543/postgres"), sources)).toMatch(
      /drills\.server is the server of the source database db_main/,
    );
    expect(await refuseSourceServer(conn("host=localhost port=6544 user=drill"), sources)).toBeUndefined();
    expect(
      await refuseSourceServer(conn("host=/run/pg/ port=6543 user=drill"), {
        db: conn("host=/run/pg port=6543"),
      }),
    ).toMatch(/db/);
  });

  it("names the scratch database after the drill, or after its hash when that is over 63 bytes", () => {
    expect(scratchDatabaseName("dr_01")).toBe("walwarden_drill_dr_01");
    const long = scratchDatabaseName(`dr_${"x".repeat(100)}`);
    expect(long).toMatch(/^walwarden_drill_[0-9a-f]{40}$/);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
  });
});
