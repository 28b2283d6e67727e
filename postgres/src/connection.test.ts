import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { libpqChildEnv, pgConnection } from "./connection.js";

const APP = "walwarden-test";

describe("pgConnection", () => {
  it("keeps the password off pg_dump's command line (it goes in PGPASSWORD)", () => {
    const r = pgConnection("postgres://backup:s3cr%40t@db.example:6543/app?sslmode=require", {}, APP);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.dbnameArg).not.toContain("s3cr");
    expect(r.value.dbnameArg).toBe("--dbname=host=db.example port=6543 user=backup dbname=app sslmode=require");
    expect(r.value.passwordEnv).toEqual({ PGPASSWORD: "s3cr@t" });
    expect(r.value.client).toMatchObject({
      host: "db.example",
      port: 6543,
      user: "backup",
      password: "s3cr@t",
      database: "app",
      ssl: { rejectUnauthorized: false },
      application_name: APP,
    });
    expect(r.value.password).toBe("s3cr@t");
    expect(r.value.display).toBe("backup@db.example:6543/app");
  });

  it("reads libpq keyword/value strings, quoting included", () => {
    const r = pgConnection("host=h port=5433 dbname='my db' user=u password='it\\'s' sslmode=verify-full", {}, APP);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.client).toMatchObject({
      host: "h",
      port: 5433,
      database: "my db",
      user: "u",
      ssl: { rejectUnauthorized: true },
    });
    expect(r.value.dbnameArg).toBe("--dbname=host=h port=5433 dbname='my db' user=u sslmode=verify-full");
  });

  it("falls back to libpq's environment and service file", () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-svc-"));
    const svc = join(dir, "pg_service.conf");
    writeFileSync(svc, "[other]\nhost=wrong\n[backups]\nhost=svc.example\nport=5440\ndbname=appdb\n");
    const r = pgConnection(
      undefined,
      { PGSERVICE: "backups", PGSERVICEFILE: svc, PGUSER: "envuser", PGPASSWORD: "pw" },
      APP,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.client).toMatchObject({
      host: "svc.example",
      port: 5440,
      database: "appdb",
      user: "envuser",
      password: "pw",
    });
    expect(r.value.passwordEnv).toEqual({ PGPASSWORD: "pw" });
    expect(pgConnection(undefined, { PGSERVICE: "nope", PGSERVICEFILE: svc }, APP)).toMatchObject({
      ok: false,
      code: "bad-connection",
    });
  });

  it("rejects what is not a connection string, without echoing it", () => {
    const bad = pgConnection("postgres://u:hunter2@[bad", {}, APP);
    expect(bad).toMatchObject({ ok: false, code: "bad-connection" });
    expect(!bad.ok && bad.message).not.toContain("hunter2");
    expect(pgConnection("just some words", {}, APP)).toMatchObject({ ok: false, code: "bad-connection" });
    expect(pgConnection("postgres://h:99999/x", {}, APP)).toMatchObject({ ok: false });
  });
});

describe("libpqChildEnv", () => {
  it("drops the caller's PGSERVICE and PGPASSWORD and passes the connection's password", () => {
    const r = pgConnection("postgres://u:target-pw@h/db", { PGPASSWORD: "own-pw" }, APP);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const env = libpqChildEnv(r.value, { PATH: "/bin", PGSERVICE: "elsewhere", PGPASSWORD: "own-pw" });
    expect(env).toEqual({ PATH: "/bin", PGPASSWORD: "target-pw" });
  });

  it("passes no password when the connection has none", () => {
    const r = pgConnection("host=h user=u", {}, APP);
    expect(r.ok && libpqChildEnv(r.value, { PGPASSWORD: "own-pw", HOME: "/home/u" })).toEqual({ HOME: "/home/u" });
  });
});
