import { describe, expect, it } from "vitest";
import { choosePgDump, findPgDumps } from "./pg-dump-binaries.js";

const bin = (major: number, minor = 1) => ({
  path: `/usr/lib/postgresql/${major}/bin/pg_dump`,
  version: `${major}.${minor}`,
  major,
});

describe("choosePgDump", () => {
  it("picks the lowest major version that is at least the server's", () => {
    expect(choosePgDump([bin(18), bin(15), bin(16)], 15, "15.4")).toMatchObject({ ok: true, value: { major: 15 } });
    expect(choosePgDump([bin(18), bin(14), bin(17)], 16, "16.2")).toMatchObject({ ok: true, value: { major: 17 } });
  });

  it("names both versions when every pg_dump is older than the server", () => {
    const r = choosePgDump([bin(14), bin(15, 18)], 18, "18.1");
    expect(r).toMatchObject({ ok: false, code: "pg-dump-too-old" });
    expect(!r.ok && r.message).toContain("the server runs PostgreSQL 18.1 but the newest pg_dump here is 15.18");
    expect(!r.ok && r.message).toContain("postgresql-client-18");
  });

  it("says how to install one when there is none", () => {
    expect(choosePgDump([], 15, "15.1")).toMatchObject({ ok: false, code: "no-pg-dump" });
  });
});

describe("findPgDumps", () => {
  it("finds only pg_dump (the search itself is @walwarden/postgres's findPgTools, tested there)", async () => {
    const found = await findPgDumps([], { PATH: "" });
    expect(found.length).toBeGreaterThan(0);
    for (const b of found) expect(b.path).toMatch(/\/pg_dump$/);
  });
});
