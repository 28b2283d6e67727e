// The target and pg_restore modules against a real PostgreSQL 15: what "empty" means, an unreachable
// target, restoring a zstd custom-format dump made as the runner makes it, and pg_restore's own error
// when the target has a conflicting object (the emptiness check is the caller's, so it is bypassed here).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  checkRowCounts,
  choosePgRestore,
  decompressSink,
  findPgRestores,
  flushCommits,
  runPgRestore,
  tocItemIds,
} from "@walwarden/postgres";
import pg0 from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "@walwarden/testing/postgres";
import { createSampleDb, rowCounts, zstdDump } from "../../test/support/sample-db.js";
import { restoreTarget, type RestoreTarget } from "./restore-target.js";
import { preflightTarget } from "./target-preflight.js";

let pg: Cluster;
let dir: string;
let archive: string;
let pgRestore: string;
const never = new AbortController().signal;
const PASSWORD = "Very-s3cret-pw";

beforeAll(async () => {
  pg = await startCluster({ name: "cli-pg" });
  await createSampleDb(pg, "shop");
  dir = mkdtempSync(join(tmpdir(), "ww-cli-pg-"));
  const sink = decompressSink("zstd", join(dir, "shop.dump"), { env: process.env, setOffsets: true });
  await sink.write(await zstdDump(pg, "shop"));
  const d = await sink.finish();
  if (!d.ok) throw new Error(d.message);
  archive = d.value.path;
  const chosen = choosePgRestore(await findPgRestores([pg.binDir]), pg.version);
  if (!chosen.ok) throw new Error(chosen.message);
  pgRestore = chosen.value.path;
  await pg.query(`CREATE ROLE restorer LOGIN PASSWORD '${PASSWORD}'`);
}, 120_000);
afterAll(async () => {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh database owned by `restorer`, as a target. */
async function target(name: string): Promise<RestoreTarget> {
  await pg.createDatabase(name);
  await pg.query(`ALTER DATABASE ${name} OWNER TO restorer`);
  await pg.query("ALTER SCHEMA public OWNER TO restorer", [], { db: name });
  const t = restoreTarget(`postgres://restorer:${PASSWORD}@127.0.0.1:${pg.port}/${name}`, {});
  if (!t.ok) throw new Error(t.message);
  return t.value;
}

const all = { schemas: [], tables: [] };

describe("restoreTarget", () => {
  it("keeps the password out of pg_restore's arguments and the display", () => {
    const t = restoreTarget(`postgres://restorer:${PASSWORD}@db.example:6543/app?sslmode=require`, {});
    expect(t.ok && t.value).toMatchObject({
      display: "restorer@db.example:6543/app",
      passwordEnv: { PGPASSWORD: PASSWORD },
      client: { application_name: "walwarden" },
      password: PASSWORD,
      passwordInArgs: true,
    });
    expect(t.ok && t.value.dbnameArg).toBe(
      "--dbname=host=db.example port=6543 user=restorer dbname=app sslmode=require",
    );
  });

  it("reads libpq's environment when there is no --target, and then the password is not 'in the arguments'", () => {
    const t = restoreTarget(undefined, {
      PGHOST: "db.internal",
      PGPORT: "5433",
      PGDATABASE: "app",
      PGUSER: "ops",
      PGPASSWORD: "pw-from-env",
    });
    expect(t.ok && t.value).toMatchObject({
      display: "ops@db.internal:5433/app",
      passwordEnv: { PGPASSWORD: "pw-from-env" },
      passwordInArgs: false,
    });
    expect(t.ok && t.value.dbnameArg).not.toContain("pw-from-env");
  });
});

describe("preflightTarget", () => {
  it("an empty database passes (public, and objects that belong to an extension, do not count)", async () => {
    const t = await target("pf_empty");
    await pg.query("CREATE EXTENSION citext", [], { db: "pf_empty" });
    const r = await preflightTarget(t, all, false);
    expect(r).toMatchObject({ ok: true, value: { serverMajor: 15, existingObjects: 0 } });
  });

  it("any user object makes a database non-empty; the message names a few and never the password", async () => {
    const t = await target("pf_busy");
    await pg.query(
      "CREATE SCHEMA extra; CREATE TYPE public.mood AS ENUM ('ok'); CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE SEQUENCE public.s; CREATE VIEW public.v AS SELECT 1 AS x; CREATE TABLE extra.t (x int)",
      [],
      { db: "pf_busy" },
    );
    const r = await preflightTarget(t, all, false);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe("not-empty");
    expect(!r.ok && r.message).toMatch(
      /^the restore target restorer@127\.0\.0\.1:\d+\/pf_busy is not empty: 6 objects \(schema extra, table extra\.t, enum public\.mood, function public\.f, sequence public\.s, …\)\./,
    );
    expect(!r.ok && r.message).not.toContain(PASSWORD);
    // --clean allows it; a --schema selection only looks inside those schemas; --table only at those names.
    expect((await preflightTarget(t, all, true)).ok).toBe(true);
    expect((await preflightTarget(t, { schemas: ["app"], tables: [] }, false)).ok).toBe(true);
    const inExtra = await preflightTarget(t, { schemas: ["extra"], tables: [] }, false);
    expect(!inExtra.ok && inExtra.message).toContain("is not empty in schema extra: 1 object (table extra.t)");
    expect((await preflightTarget(t, { schemas: [], tables: ["orders"] }, false)).ok).toBe(true);
    expect((await preflightTarget(t, { schemas: [], tables: ["t"] }, false)).ok).toBe(false);
  });

  it("an unreachable target or a wrong password is a clear failure without the password", async () => {
    const wrong = restoreTarget(`postgres://restorer:Wrong-${PASSWORD}@127.0.0.1:${pg.port}/pf_empty`, {});
    const r = await preflightTarget(wrong.ok ? wrong.value : (undefined as never), all, false);
    expect(r).toMatchObject({ ok: false, code: "unreachable" });
    expect(!r.ok && r.message).toMatch(
      /^cannot connect to the restore target restorer@127\.0\.0\.1:\d+\/pf_empty: password authentication failed for user "restorer"\. Check --target/,
    );
    expect(!r.ok && r.message).not.toContain(PASSWORD);
    await target("pf_tmp");
    const nodb = await preflightTarget(
      (restoreTarget(`postgres://restorer:${PASSWORD}@127.0.0.1:${pg.port}/no_such_db`, {}) as { value: RestoreTarget })
        .value,
      all,
      false,
    );
    expect(!nodb.ok && nodb.message).toContain('database "no_such_db" does not exist');
    const closed = restoreTarget(`postgres://restorer:${PASSWORD}@127.0.0.1:1/x`, {});
    const down = await preflightTarget(closed.ok ? closed.value : (undefined as never), all, false, 3_000);
    expect(!down.ok && down.message).toMatch(/ECONNREFUSED/);
  });
});

describe("pg_restore", () => {
  it("restores the runner-style dump into an empty target, and the row counts match the source's", async () => {
    const t = await target("pr_ok");
    const toc = await tocItemIds(pgRestore, archive, all, process.env);
    expect(toc.ok && toc.value.size).toBeGreaterThan(10);
    const progress: number[] = [];
    const r = await runPgRestore(
      { jobs: 2, clean: false, ...all },
      {
        pgRestore,
        archive,
        target: t,
        tocIds: toc.ok ? toc.value : new Set(),
        env: process.env,
        signal: never,
        onProgress: (p) => progress.push(p.done),
      },
    );
    expect(r).toMatchObject({ ok: true });
    expect(progress.at(-1)).toBe(toc.ok && toc.value.size);
    const expected = await rowCounts(pg, "shop");
    expect(await checkRowCounts(t, expected, all)).toMatchObject({ ok: true, value: { rows: 6000 } });
    expect(await rowCounts(pg, "pr_ok")).toEqual(expected);
  });

  it("fails with pg_restore's own message when the target has a conflicting object", async () => {
    const t = await target("pr_conflict");
    await pg.query("SET ROLE restorer; CREATE SCHEMA app", [], { db: "pr_conflict" });
    const r = await runPgRestore(
      { jobs: 1, clean: false, ...all },
      { pgRestore, archive, target: t, tocIds: new Set(), env: process.env, signal: never },
    );
    expect(r).toMatchObject({ ok: false, code: "restore" });
    expect(!r.ok && r.message).toMatch(
      /^pg_restore failed \(exit 1\):\npg_restore: while PROCESSING TOC:\npg_restore: from TOC entry \d+; \d+ \d+ SCHEMA app \w+\npg_restore: error: could not execute query: ERROR: {2}schema "app" already exists\nCommand was: CREATE SCHEMA app;$/,
    );
    expect(!r.ok && r.message).not.toContain(PASSWORD);
  });

  it("pg_restore's sessions commit asynchronously (SESSION_OPTIONS), and the user's PGOPTIONS come after and win", async () => {
    // A CHECK that passes in the source, and elsewhere only in a session with synchronous_commit off and
    // the user's own option set: COPY evaluates it for every row pg_restore loads.
    await pg.createDatabase("opts_src");
    await pg.query(
      `CREATE FUNCTION public.session_ok() RETURNS boolean LANGUAGE sql AS $$ SELECT current_database() = 'opts_src' OR (current_setting('synchronous_commit') = 'off' AND current_setting('walwarden.test', true) = 'kept') $$;
       CREATE TABLE public.t (x int CHECK (public.session_ok())); INSERT INTO public.t SELECT generate_series(1, 10);`,
      [],
      { db: "opts_src" },
    );
    const sink = decompressSink("zstd", join(dir, "opts.dump"), { env: process.env, setOffsets: true });
    await sink.write(await zstdDump(pg, "opts_src"));
    const d = await sink.finish();
    if (!d.ok) throw new Error(d.message);
    const restore = async (db: string, PGOPTIONS: string) =>
      runPgRestore(
        { jobs: 2, clean: false, ...all },
        {
          pgRestore,
          archive: d.value.path,
          target: await target(db),
          tocIds: new Set(),
          env: { ...process.env, PGOPTIONS },
          signal: never,
        },
      );
    expect(await restore("opts_ok", "-c walwarden.test=kept")).toMatchObject({ ok: true });
    expect(await rowCounts(pg, "opts_ok")).toEqual([{ schema: "public", name: "t", rows: 10 }]);
    const theirs = await restore("opts_theirs", "-c walwarden.test=kept -c synchronous_commit=on");
    expect(!theirs.ok && theirs.message).toMatch(/violates check constraint/);
  });

  it("flushCommits makes every earlier commit durable: with a temporary table, or by waiting for the WAL writer where those are not allowed", async () => {
    const t = await target("flush");
    const notemp = await target("flush_notemp");
    await pg.query("REVOKE TEMPORARY ON DATABASE flush_notemp FROM PUBLIC, restorer");
    expect(
      (
        await pg.query<{ temp: boolean }>("SELECT has_database_privilege('restorer', 'flush_notemp', 'TEMP') AS temp")
      )[0]!.temp,
    ).toBe(false);
    for (const [db, tt] of [
      ["flush", t],
      ["flush_notemp", notemp],
    ] as const) {
      const client = new pg0.Client(tt.client);
      await client.connect();
      try {
        await client.query("SET synchronous_commit = off; CREATE TABLE public.x AS SELECT 1 AS one");
        const { lsn } = (await client.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn"))
          .rows[0]!;
        expect(await flushCommits(client), db).toBe(true);
        const { flushed } = (
          await client.query<{ flushed: boolean }>("SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn AS flushed", [lsn])
        ).rows[0]!;
        expect(flushed, db).toBe(true);
      } finally {
        await client.end();
      }
    }
  });

  it("row counts that differ name each table", async () => {
    const t = await target("pr_counts");
    await pg.query(
      "SET ROLE restorer; CREATE TABLE public.customers (id int); INSERT INTO public.customers VALUES (1), (2)",
      [],
      { db: "pr_counts" },
    );
    const r = await checkRowCounts(
      t,
      [
        { schema: "public", name: "customers", rows: 500 },
        { schema: "app", name: "orders", rows: 4000 },
      ],
      all,
    );
    expect(r).toMatchObject({ ok: false, code: "check" });
    expect(!r.ok && r.message).toBe(
      "row counts differ from the signed manifest in 2 of 2 tables: public.customers has 2 rows, the backup 500; app.orders is missing (the backup has 4000 rows)",
    );
  });
});
