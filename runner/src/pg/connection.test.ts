import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pgTarget } from "./connection.js";

const db = (url?: string) => ({ url, schemas: [], excludeSchemas: [], noOwner: true, noPrivileges: true });

describe("pgTarget", () => {
  it("keeps the password off pg_dump's command line (it goes in PGPASSWORD)", () => {
    const r = pgTarget(db("postgres://backup:s3cr%40t@db.example:6543/app?sslmode=require"), {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.dumpArgs.join(" ")).not.toContain("s3cr");
    expect(r.value.dumpArgs).toEqual(["--dbname=host=db.example port=6543 user=backup dbname=app sslmode=require"]);
    expect(r.value.dumpEnv).toEqual({ PGPASSWORD: "s3cr@t" });
    expect(r.value.client).toMatchObject({
      host: "db.example",
      port: 6543,
      user: "backup",
      password: "s3cr@t",
      database: "app",
      ssl: { rejectUnauthorized: false },
    });
    expect(r.value.display).toBe("backup@db.example:6543/app");
  });

  it("reads libpq keyword/value strings, quoting included", () => {
    const r = pgTarget(db("host=h port=5433 dbname='my db' user=u password='it\\'s' sslmode=verify-full"), {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.client).toMatchObject({
      host: "h",
      port: 5433,
      database: "my db",
      user: "u",
      ssl: { rejectUnauthorized: true },
    });
    expect(r.value.dumpArgs[0]).toBe("--dbname=host=h port=5433 dbname='my db' user=u sslmode=verify-full");
  });

  it("falls back to libpq's environment and service file", () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-svc-"));
    const svc = join(dir, "pg_service.conf");
    writeFileSync(svc, "[other]\nhost=wrong\n[backups]\nhost=svc.example\nport=5440\ndbname=appdb\n");
    const r = pgTarget(db(), { PGSERVICE: "backups", PGSERVICEFILE: svc, PGUSER: "envuser", PGPASSWORD: "pw" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.client).toMatchObject({
      host: "svc.example",
      port: 5440,
      database: "appdb",
      user: "envuser",
      password: "pw",
    });
    expect(r.value.dumpEnv).toEqual({ PGPASSWORD: "pw" });
    expect(pgTarget(db(), { PGSERVICE: "nope", PGSERVICEFILE: svc })).toMatchObject({
      ok: false,
      code: "bad-connection",
    });
  });

  it("rejects what is not a connection string, without echoing it", () => {
    const bad = pgTarget(db("postgres://u:hunter2@[bad"), {});
    expect(bad).toMatchObject({ ok: false, code: "bad-connection" });
    expect(!bad.ok && bad.message).not.toContain("hunter2");
    expect(pgTarget(db("just some words"), {})).toMatchObject({ ok: false, code: "bad-connection" });
    expect(pgTarget(db("postgres://h:99999/x"), {})).toMatchObject({ ok: false });
  });
});
