// `walwarden-runner check` predicts what a backup's data will meet, against a real PostgreSQL 15: row-level
// security the backup role does not bypass, tables, sequences, schemas and large objects it cannot read.
// Every prediction is checked against pg_dump itself (the runner's own pg_dump command, data included) and,
// for row-level security, against a real backup; each fix the advice prints is applied and proven to work.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJob, listBackups, requestBackup } from "@walwarden/testing/api";
import { privilegeRows } from "../src/check/privileges/privilege-rows.js";
import { DatabaseConfigSchema } from "../src/config/schema.js";
import { pgTarget } from "../src/pg/connection.js";
import { pgDumpCommand } from "../src/pg/dump-command.js";
import { choosePgDump, findPgDumps } from "../src/pg/pg-dump-binaries.js";
import { addDatabase, runRunner, runnerConfig, startParts, type Parts } from "@walwarden/testing/runner-parts";

const run = promisify(execFile);
const PASSWORD = "backup-role-pw-7f3a";

let parts: Parts;

beforeAll(async () => {
  parts = await startParts();
}, 240_000);
afterAll(async () => parts?.stop());

interface Row {
  check: string;
  ok: boolean;
  detail: string;
  finding?: { kind: string; schema?: string; objects: string[]; count: number };
}

/** A fresh database `p_<name>` and login role `<name>_backup`; `setup(role)` runs in it as the superuser. */
async function scenario(
  name: string,
  setup: (role: string) => string,
): Promise<{ db: string; role: string; url: string }> {
  const db = `p_${name}`;
  const role = `${name}_backup`;
  await parts.pg.createDatabase(db);
  await parts.pg.query(`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'`);
  await parts.pg.query(setup(role), [], { db });
  return { db, role, url: parts.pg.url(db, role, PASSWORD) };
}

/** The `privileges <id>` rows check prints for one database, and check's exit code if they were all it printed. */
async function check(id: string, settings: Record<string, unknown>): Promise<{ code: number; rows: Row[] }> {
  const db = DatabaseConfigSchema.parse(settings);
  const target = pgTarget(db, {});
  if (!target.ok) throw new Error(target.message);
  const rows = (await privilegeRows(id, db, target.value)) as Row[];
  expect(JSON.stringify(rows)).not.toContain(PASSWORD);
  return { code: rows.every((r) => r.ok) ? 0 : 1, rows };
}

/** The same through the program: `walwarden-runner check --json` for one database; its exit code and privilege rows. */
async function checkCli(id: string, settings: Record<string, unknown>): Promise<{ code: number | null; rows: Row[] }> {
  const { path } = runnerConfig(parts, { [id]: settings });
  const r = await runRunner(["check", "--json", "--config", path]);
  expect(r.stdout).not.toContain(PASSWORD);
  const rows = JSON.parse(r.stdout) as Row[];
  return { code: r.code, rows: rows.filter((x) => x.check === `privileges ${id}`) };
}

/** pg_dump as the backup runs it (the runner's command and filter, data included, no snapshot): "ok" or its stderr. */
async function dumpAs(settings: Record<string, unknown>): Promise<string> {
  const db = DatabaseConfigSchema.parse(settings);
  const target = pgTarget(db, {});
  if (!target.ok) throw new Error(target.message);
  const pgDump = choosePgDump(await findPgDumps([]), parts.pg.major, parts.pg.version);
  if (!pgDump.ok) throw new Error(pgDump.message);
  const cmd = pgDumpCommand(pgDump.value, db, target.value, { PATH: process.env.PATH }, [
    "--file=/dev/null",
    "--no-sync",
  ]);
  try {
    await run(cmd.pgDumpPath, cmd.args, { env: cmd.env, timeout: 60_000 });
    return "ok";
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
}

/** Each case: a database whose backup fails, what check must say, pg_dump's own error, and the fix the advice names. */
const FAILING: {
  name: string;
  setup: (role: string) => string;
  kind: string;
  schema?: string;
  objects: string[];
  error: string;
  fix: (role: string) => string;
}[] = [
  {
    name: "rls_partition",
    setup: (r) => `CREATE TABLE public.metrics (at int, v int) PARTITION BY RANGE (at);
      CREATE TABLE public.metrics_1 PARTITION OF public.metrics FOR VALUES FROM (0) TO (100);
      ALTER TABLE public.metrics_1 ENABLE ROW LEVEL SECURITY; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${r};
      INSERT INTO public.metrics VALUES (1, 1);`,
    kind: "row-level-security",
    schema: "public",
    objects: ["public.metrics_1"],
    error: 'query would be affected by row-level security policy for table "metrics_1"',
    fix: (r) => `ALTER ROLE ${r} BYPASSRLS;`,
  },
  {
    name: "rls_child",
    setup: (r) => `CREATE TABLE public.base (id int); CREATE TABLE public.child () INHERITS (public.base);
      ALTER TABLE public.child ENABLE ROW LEVEL SECURITY; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${r};`,
    kind: "row-level-security",
    schema: "public",
    objects: ["public.child"],
    error: 'query would be affected by row-level security policy for table "child"',
    fix: (r) => `ALTER ROLE ${r} BYPASSRLS;`,
  },
  {
    // BYPASSRLS is the login role's own attribute: membership of a role that has it does not pass it on.
    name: "rls_via_member",
    setup: (r) => `CREATE ROLE ${r}_grp NOLOGIN BYPASSRLS; GRANT ${r}_grp TO ${r};
      CREATE TABLE public.secrets (id int); ALTER TABLE public.secrets ENABLE ROW LEVEL SECURITY;
      GRANT SELECT ON public.secrets TO ${r};`,
    kind: "row-level-security",
    schema: "public",
    objects: ["public.secrets"],
    error: 'query would be affected by row-level security policy for table "secrets"',
    fix: (r) => `ALTER ROLE ${r} BYPASSRLS;`,
  },
  {
    name: "forced",
    setup: (r) => `CREATE TABLE public.ledger (id int); ALTER TABLE public.ledger OWNER TO ${r};
      ALTER TABLE public.ledger ENABLE ROW LEVEL SECURITY; ALTER TABLE public.ledger FORCE ROW LEVEL SECURITY;`,
    kind: "forced-row-level-security",
    schema: "public",
    objects: ["public.ledger"],
    error: 'query would be affected by row-level security policy for table "ledger"',
    fix: () => "ALTER TABLE public.ledger NO FORCE ROW LEVEL SECURITY;",
  },
  {
    name: "no_select",
    // pg_dump locks in creation order: events first, the one the line names.
    setup: (r) => `CREATE SCHEMA app; GRANT USAGE ON SCHEMA app TO ${r};
      CREATE TABLE app.events (at int) PARTITION BY RANGE (at);
      CREATE TABLE app.events_1 PARTITION OF app.events FOR VALUES FROM (0) TO (10); GRANT SELECT ON app.events_1 TO ${r};
      CREATE TABLE app.orders (id int); CREATE TABLE app."Line Items" (id int); GRANT SELECT ON app."Line Items" TO ${r};`,
    kind: "tables-not-readable",
    schema: "app",
    objects: ["app.events", "app.orders"],
    error: "permission denied for table events",
    fix: (r) => `GRANT SELECT ON ALL TABLES IN SCHEMA app TO ${r};`,
  },
  {
    name: "no_seq",
    setup: (r) => `CREATE SCHEMA app; GRANT USAGE ON SCHEMA app TO ${r}; CREATE SEQUENCE app.order_no;
      GRANT USAGE ON SEQUENCE app.order_no TO ${r};`,
    kind: "sequences-not-readable",
    schema: "app",
    objects: ["app.order_no"],
    error: "permission denied for sequence order_no",
    fix: (r) => `GRANT SELECT ON ALL SEQUENCES IN SCHEMA app TO ${r};`,
  },
  {
    name: "no_usage",
    setup: (r) => `CREATE SCHEMA hidden; CREATE TABLE hidden.t (id int); GRANT SELECT ON hidden.t TO ${r};`,
    kind: "schema-not-usable",
    schema: "hidden",
    objects: ["hidden"],
    error: "permission denied for schema hidden",
    fix: (r) => `GRANT USAGE ON SCHEMA hidden TO ${r};`,
  },
  {
    name: "lob",
    setup: () => "SELECT lo_create(424242);",
    kind: "large-objects-not-readable",
    objects: ["424242"],
    error: "permission denied for large object 424242",
    fix: (r) => `GRANT SELECT ON LARGE OBJECT 424242 TO ${r};`,
  },
  {
    // No contrib extension here marks a configuration table, so the test marks one in the catalog as
    // pg_extension_config_dump would; pg_dump then copies its data, which needs SELECT.
    name: "extconfig",
    setup: () => `CREATE EXTENSION file_fdw; CREATE TABLE public.fdw_settings (k text);
      ALTER EXTENSION file_fdw ADD TABLE public.fdw_settings;
      UPDATE pg_extension SET extconfig = ARRAY['public.fdw_settings'::regclass::oid], extcondition = ARRAY['']
        WHERE extname = 'file_fdw';`,
    kind: "tables-not-readable",
    schema: "public",
    objects: ["public.fdw_settings"],
    error: "permission denied for table fdw_settings",
    fix: (r) => `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${r};`,
  },
];

describe("check names what the backup will fail on, and the fix it names makes the backup work", () => {
  for (const c of FAILING) {
    it(`${c.name}: ${c.kind} on ${c.objects.join(", ")}`, async () => {
      const s = await scenario(c.name, c.setup);
      const settings = { url: s.url };
      const before = await check(`db_${c.name}`, settings);
      expect(before.code).toBe(1);
      const findings = before.rows.filter((r) => r.finding);
      expect(findings.map((r) => r.finding)).toEqual([
        {
          kind: c.kind,
          ...(c.schema ? { schema: c.schema, quotedSchema: c.schema } : {}),
          objects: c.objects,
          count: c.objects.length,
        },
      ]);
      const line = findings[0]!.detail;
      expect(line).toContain(`pg_dump will fail with '${c.error}'`);
      expect(line).toContain(c.fix(s.role));
      // The prediction is pg_dump's own verdict: it fails with that very message.
      expect(await dumpAs(settings)).toContain(c.error);

      await parts.pg.query(c.fix(s.role), [], { db: s.db });
      const after = await check(`db_${c.name}`, settings);
      expect(after.rows, JSON.stringify(after.rows)).toMatchObject([{ ok: true }]);
      expect(after.code).toBe(0);
      expect(await dumpAs(settings)).toBe("ok");
    });
  }
});

describe("row-level security and a real backup", () => {
  it("check fails naming the table and advising BYPASSRLS or exclusion; the backup fails the same way; after the fix both pass", async () => {
    const s = await scenario(
      "rls",
      (r) => `CREATE TABLE public.accounts (id int, owner text); ALTER TABLE public.accounts ENABLE ROW LEVEL SECURITY;
        CREATE POLICY own ON public.accounts USING (owner = current_user);
        CREATE TABLE public.notes (id int); GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${r};
        INSERT INTO public.accounts VALUES (1, 'alice'); INSERT INTO public.notes VALUES (1);`,
    );
    const id = await addDatabase(parts, "rls");
    const { path } = runnerConfig(parts, { [id]: { url: s.url } });
    const text = await runRunner(["check", "--config", path]);
    expect(text.code).toBe(1);
    // The schema-only dump still succeeds: that is why check used to say ok.
    expect(text.stdout).toMatch(new RegExp(`database ${id}\\s+ok\\s+.*can dump its schema`));
    const line = text.stdout.split("\n").find((l) => l.startsWith(`privileges ${id}`) && l.includes("public.accounts"));
    expect(line).toMatch(/\sFAIL\s/);
    expect(line).toContain("row-level security is enabled on public.accounts and role rls_backup has no BYPASSRLS");
    expect(line).toContain("Fix: ALTER ROLE rls_backup BYPASSRLS; as a superuser");
    expect(line).toContain(`add "public" to this database's "excludeSchemas"`);
    expect(text.stdout).not.toContain(PASSWORD);

    const job = await requestBackup(parts.dev, parts.cookie, id);
    const failed = await runRunner(["run", "--once", "--config", path]);
    expect(failed.code).toBe(1);
    expect((await getJob(parts.dev, parts.cookie, job.jobId)).lastError).toContain(
      'query would be affected by row-level security policy for table "accounts"',
    );

    await parts.pg.query("ALTER ROLE rls_backup BYPASSRLS");
    const ok = await checkCli(id, { url: s.url });
    expect(ok.code).toBe(0);
    expect(ok.rows).toEqual([
      {
        check: `privileges ${id}`,
        ok: true,
        detail: "role rls_backup can read the 2 tables and 0 sequences in 1 schema a backup dumps (BYPASSRLS)",
      },
    ]);
    await requestBackup(parts.dev, parts.cookie, id);
    const done = await runRunner(["run", "--once", "--config", path]);
    expect(done.code, done.stdout.slice(-2000)).toBe(0);
    expect((await listBackups(parts.dev, parts.cookie, { databaseId: id })).items.length).toBeGreaterThan(0);
  });

  it("a schema left out by excludeSchemas or not in schemas is not read, so its row-level security does not matter", async () => {
    const s = await scenario(
      "rls_filtered",
      (
        r,
      ) => `CREATE SCHEMA private; CREATE TABLE private.keys (id int); ALTER TABLE private.keys ENABLE ROW LEVEL SECURITY;
        GRANT USAGE ON SCHEMA private TO ${r}; GRANT SELECT ON private.keys TO ${r};
        CREATE TABLE public.items (id int); GRANT SELECT ON public.items TO ${r};`,
    );
    const all = await checkCli("db_rls_all", { url: s.url });
    expect(all.code).toBe(1);
    expect(all.rows.find((r) => r.finding)?.finding?.objects).toEqual(["private.keys"]);
    for (const filter of [{ excludeSchemas: ["private"] }, { schemas: ["public"] }]) {
      const settings = { url: s.url, ...filter };
      const r = await check("db_rls_filtered", settings);
      expect(r.rows, JSON.stringify(filter)).toMatchObject([{ ok: true, detail: expect.stringContaining("1 table") }]);
      expect(r.code).toBe(0);
      expect(await dumpAs(settings)).toBe("ok");
    }
    // With a schema list, leaving a schema out means taking it off the list.
    const listed = await check("db_rls_listed", { url: s.url, schemas: ["public", "private"] });
    expect(listed.rows.find((r) => r.finding)?.detail).toContain(`remove "private" from this database's "schemas"`);
  });

  it("the table's owner (or a member inheriting the owner) is not stopped by row-level security without FORCE", async () => {
    const s = await scenario(
      "owner",
      (r) => `CREATE ROLE owner_grp NOLOGIN; GRANT owner_grp TO ${r};
        CREATE TABLE public.mine (id int); ALTER TABLE public.mine OWNER TO ${r}; ALTER TABLE public.mine ENABLE ROW LEVEL SECURITY;
        CREATE TABLE public.theirs (id int); ALTER TABLE public.theirs OWNER TO owner_grp; ALTER TABLE public.theirs ENABLE ROW LEVEL SECURITY;
        CREATE TABLE public.parent (at int) PARTITION BY RANGE (at); ALTER TABLE public.parent ENABLE ROW LEVEL SECURITY;
        CREATE TABLE public.parent_1 PARTITION OF public.parent FOR VALUES FROM (0) TO (10);
        GRANT SELECT ON public.parent, public.parent_1 TO ${r};`,
    );
    const r = await check("db_owner", { url: s.url });
    expect(r.rows, JSON.stringify(r.rows)).toMatchObject([{ ok: true }]);
    expect(r.code).toBe(0);
    expect(await dumpAs({ url: s.url })).toBe("ok");
  });

  it("what pg_dump does not read needs no privilege: views, materialized views, a function-only schema, extension members, large objects with a schema list", async () => {
    const s = await scenario(
      "unread",
      (r) => `CREATE TABLE public.t (id int); GRANT SELECT ON public.t TO ${r};
        CREATE VIEW public.v AS SELECT 1 AS x; CREATE MATERIALIZED VIEW public.m AS SELECT 1 AS x;
        CREATE SCHEMA fns; CREATE FUNCTION fns.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
        CREATE EXTENSION file_fdw; CREATE TABLE public.ext_member (id int); ALTER EXTENSION file_fdw ADD TABLE public.ext_member;
        SELECT lo_create(515151);`,
    );
    const all = await check("db_unread", { url: s.url });
    expect(all.rows.filter((x) => x.finding).map((x) => x.finding!.kind)).toEqual(["large-objects-not-readable"]);
    const settings = { url: s.url, schemas: ["public", "fns"] };
    const listed = await check("db_unread", settings);
    expect(listed.rows, JSON.stringify(listed.rows)).toMatchObject([{ ok: true }]);
    expect(listed.code).toBe(0);
    expect(await dumpAs(settings)).toBe("ok");
  });

  it("pg_read_all_data (inherited) reads every table, sequence and schema", async () => {
    const s = await scenario(
      "readall",
      (r) => `CREATE SCHEMA hidden; CREATE TABLE hidden.t (id serial); GRANT pg_read_all_data TO ${r};`,
    );
    const r = await check("db_readall", { url: s.url });
    expect(r.rows).toMatchObject([{ ok: true, detail: expect.stringContaining("1 table and 1 sequence in 1 schema") }]);
    expect(await dumpAs({ url: s.url })).toBe("ok");
  });
});

describe("the advice speaks the platform's terms", () => {
  const rlsAndGrants = (
    r: string,
  ) => `CREATE TABLE public.profiles (id int); ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
    GRANT SELECT ON public.profiles TO ${r}; CREATE SCHEMA app; CREATE TABLE app.orders (id int); GRANT USAGE ON SCHEMA app TO ${r};`;
  const details = (rows: Row[]) => rows.filter((x) => x.finding).map((x) => x.detail);

  it("provider: supabase in the config: a dedicated bypassrls role and pg_read_all_data", async () => {
    const s = await scenario("supa", rlsAndGrants);
    const r = await checkCli("db_supa", { url: s.url, provider: "supabase" });
    expect(r.code).toBe(1);
    expect(r.rows[0]!.detail).toContain("advice for Supabase (the database's provider setting)");
    const [tables, rls] = details(r.rows);
    expect(tables).toContain("Fix (Supabase): as postgres (the SQL editor), grant pg_read_all_data to supa_backup;");
    expect(rls).toContain(
      "create role backup_reader login password '…' bypassrls; grant pg_read_all_data to backup_reader; alter role backup_reader set default_transaction_read_only = on;",
    );
    // Without the setting, and without Supabase's roles on the server, the advice is plain PostgreSQL.
    const plain = await check("db_supa", { url: s.url });
    expect(plain.rows[0]!.detail).toContain("advice for PostgreSQL");
    expect(details(plain.rows)[1]).toContain("Fix: ALTER ROLE supa_backup BYPASSRLS; as a superuser");
  });

  it("detected from the server's roles (emulated: the roles Neon, RDS and Supabase create, made here): each platform's grants; the setting wins", async () => {
    const s = await scenario("plat", rlsAndGrants);
    const expectations: [string, string, string][] = [
      [
        "neon_superuser",
        "advice for Neon (from the server's roles)",
        "plat_backup is a member of neon_superuser, but BYPASSRLS is not inherited through membership",
      ],
      [
        "rds_superuser",
        "advice for RDS (from the server's roles)",
        "Fix (RDS): as the master user (a member of rds_superuser), ALTER ROLE plat_backup BYPASSRLS;",
      ],
      ["supabase_admin", "advice for Supabase (from the server's roles)", "create role backup_reader login"],
    ];
    for (const [platformRole, advice, rlsText] of expectations) {
      await parts.pg.query(`CREATE ROLE ${platformRole} NOLOGIN; GRANT ${platformRole} TO plat_backup`);
      try {
        const r = await check("db_plat", { url: s.url });
        expect(r.rows[0]!.detail).toContain(advice);
        expect(details(r.rows)[1]).toContain(rlsText);
        if (platformRole === "neon_superuser") {
          expect(details(r.rows)[0]).toContain(
            "Fix (Neon): as the tables' owner (on Neon, the role that created them, such as <database>_owner): GRANT SELECT ON ALL TABLES IN SCHEMA app TO plat_backup;",
          );
          const configured = await check("db_plat", { url: s.url, provider: "rds" });
          expect(configured.rows[0]!.detail).toContain("advice for RDS (the database's provider setting)");
        }
      } finally {
        await parts.pg.query(`DROP ROLE ${platformRole}`);
      }
    }
  });
});

describe("check when it cannot read the catalogs", () => {
  it("a role that cannot log in: the database row fails and no privilege rows follow", async () => {
    const r = await checkCli("db_nologin", { url: parts.pg.url("postgres", "nobody_here", "x") });
    expect(r.code).toBe(1);
    expect(r.rows).toEqual([]);
  });
});
