import { describe, expect, it } from "vitest";
import type { BackupRole } from "./backup-role-query.js";
import { detectProvider, type AdviceProvider } from "./detect-provider.js";
import { describeFinding, type AdviceContext } from "./privilege-advice.js";
import type { PrivilegeFinding } from "./privilege-findings.js";

const role = (over: Partial<BackupRole> = {}): BackupRole => ({
  name: "backup",
  quoted: "backup",
  superuser: false,
  bypassRls: false,
  serverVersionNum: 150010,
  present: [],
  memberOf: [],
  ...over,
});
const ctx = (provider: AdviceProvider, over: Partial<BackupRole> = {}, schemas: string[] = []): AdviceContext => ({
  role: role(over),
  provider: { provider, source: "config" },
  filter: { schemas, excludeSchemas: [] },
});
const tables = (n: number): PrivilegeFinding => ({
  kind: "tables-not-readable",
  schema: "app",
  quotedSchema: "app",
  objects: Array.from({ length: n }, (_, i) => `app.t${i + 1}`),
  count: n,
});

describe("describeFinding", () => {
  it("lists five objects, then how many more", () => {
    expect(describeFinding(tables(7), ctx("postgres"))).toMatch(
      /^role backup cannot SELECT app\.t1, app\.t2, app\.t3, app\.t4, app\.t5 and 2 more: /,
    );
    expect(describeFinding(tables(1), ctx("postgres"))).toMatch(/^role backup cannot SELECT app\.t1: /);
  });

  it("quotes pg_dump's message with the bare name, as pg_dump prints it", () => {
    const f: PrivilegeFinding = {
      kind: "row-level-security",
      schema: "My App",
      quotedSchema: '"My App"',
      objects: ['"My App"."Line ""Items"""'],
      count: 1,
    };
    const line = describeFinding(f, ctx("postgres"));
    expect(line).toContain('row-level security is enabled on "My App"."Line ""Items"""');
    expect(line).toContain(
      `pg_dump will fail with 'query would be affected by row-level security policy for table "Line "Items""'`,
    );
    expect(line).toContain('add "My App" to this database\'s "excludeSchemas"');
  });

  it("offers pg_read_all_data from PostgreSQL 14 only", () => {
    expect(describeFinding(tables(1), ctx("postgres"))).toContain(
      "Fix: GRANT SELECT ON ALL TABLES IN SCHEMA app TO backup; as the tables' owner or a superuser, or GRANT pg_read_all_data TO backup; (PostgreSQL 14+",
    );
    const old = describeFinding(tables(1), ctx("postgres", { serverVersionNum: 130012 }));
    expect(old).toContain("GRANT SELECT ON ALL TABLES IN SCHEMA app TO backup; as the tables' owner or a superuser;");
    expect(old).not.toContain("pg_read_all_data");
    expect(describeFinding(tables(1), ctx("rds", { serverVersionNum: 130012 }))).toContain(
      "Fix (RDS): as the master user (a member of rds_superuser), GRANT SELECT ON ALL TABLES IN SCHEMA app TO backup;",
    );
    expect(describeFinding(tables(1), ctx("supabase", { serverVersionNum: 130012 }))).toContain(
      "Fix (Supabase): as postgres (the SQL editor), GRANT SELECT ON ALL TABLES IN SCHEMA app TO backup;",
    );
  });

  it("says how each platform grants BYPASSRLS", () => {
    const rls: PrivilegeFinding = {
      kind: "row-level-security",
      schema: "public",
      quotedSchema: "public",
      objects: ["public.a"],
      count: 1,
    };
    expect(describeFinding(rls, ctx("postgres"))).toContain("Fix: ALTER ROLE backup BYPASSRLS; as a superuser;");
    expect(describeFinding(rls, ctx("rds"))).toContain(
      "Fix (RDS): as the master user (a member of rds_superuser), ALTER ROLE backup BYPASSRLS; (if RDS refuses",
    );
    expect(describeFinding(rls, ctx("supabase"))).toContain("create role backup_reader login password '…' bypassrls;");
    const neon = describeFinding(rls, ctx("neon"));
    expect(neon).toContain("Fix (Neon): back up with a role created in the Neon console, CLI or API");
    expect(neon).toContain("have BYPASSRLS in projects created after 2023-08-15");
    expect(neon).not.toContain("member of neon_superuser");
    expect(describeFinding(rls, ctx("neon", { memberOf: ["neon_superuser"] }))).toContain(
      "backup is a member of neon_superuser, but BYPASSRLS is not inherited through membership",
    );
  });

  it("forced RLS: NO FORCE, or BYPASSRLS; large objects: per-object grants or a schema list", () => {
    const forced = describeFinding(
      { kind: "forced-row-level-security", schema: "s", quotedSchema: "s", objects: ["s.a", "s.b"], count: 2 },
      ctx("postgres"),
    );
    expect(forced).toContain("Fix: ALTER TABLE s.a NO FORCE ROW LEVEL SECURITY; (each table) as its owner;");
    expect(forced).toContain("or ALTER ROLE backup BYPASSRLS; as a superuser");
    const lob = describeFinding(
      { kind: "large-objects-not-readable", objects: ["16390", "16391"], count: 9 },
      ctx("supabase"),
    );
    expect(lob).toContain("cannot read 9 large objects (oid 16390, 16391 and 7 more)");
    expect(lob).toContain("GRANT SELECT ON LARGE OBJECT 16390 TO backup; (each one)");
    expect(lob).toContain("pg_read_all_data does not cover large objects");
    expect(lob).toContain('set "schemas" to the schemas to back up');
  });

  it("with a schema list, leaving a schema out is taking it off the list", () => {
    expect(describeFinding(tables(1), ctx("postgres", {}, ["app", "public"]))).toContain(
      `remove "app" from this database's "schemas"`,
    );
  });
});

describe("detectProvider", () => {
  it("the configured provider wins; other providers get plain PostgreSQL advice", () => {
    expect(detectProvider("rds", role({ present: ["neon_superuser"] }))).toEqual({ provider: "rds", source: "config" });
    expect(detectProvider("cloudsql", role())).toEqual({ provider: "postgres", source: "config" });
    expect(detectProvider("self-hosted", role({ present: ["rds_superuser"] }))).toEqual({
      provider: "postgres",
      source: "config",
    });
  });

  it("otherwise the platform's own roles name it", () => {
    expect(detectProvider(undefined, role({ present: ["authenticator"] })).provider).toBe("supabase");
    expect(detectProvider(undefined, role({ present: ["supabase_admin"] })).provider).toBe("supabase");
    expect(detectProvider(undefined, role({ present: ["neon_superuser"] })).provider).toBe("neon");
    expect(detectProvider(undefined, role({ present: ["rds_superuser"] }))).toEqual({
      provider: "rds",
      source: "roles",
    });
    expect(detectProvider(undefined, role({ present: ["pg_read_all_data"] }))).toEqual({
      provider: "postgres",
      source: "none",
    });
  });
});
