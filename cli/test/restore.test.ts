// `walwarden restore` against real parts: PostgreSQL 15, a zstd custom-format dump made as the runner
// makes it, s3rver with real presigned URLs, and the contract stand-in for the Worker
// (support/contract-worker.ts). The paths that succeed: a full restore, --json, --dry-run, --clean,
// --schema and --table, --keep-file, and trust on first use of the API's keys.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatVkey } from "@walwarden/verifier";
import { signer } from "./support/kit.js";
import { rowCounts } from "./support/sample-db.js";
import { leftoverRestoreDirs, startFixture, type Fixture } from "./support/fixture.js";

let f: Fixture;

beforeAll(async () => {
  f = await startFixture();
}, 120_000);
afterAll(async () => f?.stop());

const keyDir = () => mkdtempSync(join(tmpdir(), "ww-cli-keys-"));

describe("walwarden restore (stand-in Worker: support/contract-worker.ts)", () => {
  it("restores into an empty database: every table has the manifest's rows, each transition is reported, and nothing secret leaves the machine", async () => {
    const t = await f.target("happy");
    const r = await f.offer();
    const before = leftoverRestoreDirs();
    const run = await f.run(f.restoreArgs(r, ["--target", `postgres://${t.user}@127.0.0.1:${f.pg.port}/${t.db}`]), {
      PGPASSWORD: t.password,
    });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(
      new RegExp(
        `^Restored backup bk_01 into ${t.user}@127\\.0\\.0\\.1:${f.pg.port}/happy \\(restore ${r.restoreId}\\)\\.`,
      ),
    );
    expect(run.out).toMatch(/check {7}4 tables, 6,000 rows, as the manifest recorded/);
    expect(await rowCounts(f.pg, "happy")).toEqual(f.predicate.tables);
    expect(await f.pg.query("SELECT app.order_count(7) AS n", [], { db: "happy" })).toEqual([{ n: "8" }]);

    expect(r.transitions).toEqual([
      { state: "downloading" },
      { state: "verifying", sha256: r.kit.sha256 },
      { state: "restoring" },
      { state: "completed", dryRun: false },
    ]);
    expect(f.worker.violations).toEqual([]);
    expect(r.progress.length).toBeGreaterThan(0); // at most one a second: this restore takes less than one
    // Nothing the Worker received carries the target's password, user or connection string.
    const sent = f.worker.requests.map((q) => `${q.path} ${JSON.stringify(q.headers)} ${q.body}`).join("\n");
    for (const s of [t.password, `${t.user}@`, "postgres://"]) expect(sent).not.toContain(s);
    expect(run.out + run.err).not.toContain(t.password);
    expect(leftoverRestoreDirs()).toEqual(before);
  });

  it("--json prints one JSON object with the summary", async () => {
    const t = await f.target("as_json");
    const r = await f.offer();
    const run = await f.run(f.restoreArgs(r, ["--target", t.url, "--json", "--jobs", "1"]));
    expect(run.code, run.err).toBe(0);
    const s = JSON.parse(run.out);
    expect(s).toMatchObject({
      ok: true,
      restoreId: r.restoreId,
      backupId: "bk_01",
      dryRun: false,
      target: `${t.user}@127.0.0.1:${f.pg.port}/as_json`,
      keys: "first-use",
      rows: 6000,
    });
    expect(s.artifact).toMatchObject({ bytes: f.dump.length, sha256: r.kit.sha256, keptAt: null });
    expect(s.durationsMs.restore).toBeGreaterThan(0);
    expect(run.err).toContain("Note: the password in --target is visible to other users");
  });

  it("--dry-run downloads and verifies, reports completed with dryRun, and never connects to the target", async () => {
    const r = await f.offer();
    const run = await f.run(f.restoreArgs(r, ["--dry-run", "--target", "postgres://nobody@127.0.0.1:1/none"]));
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^Verified backup bk_01 \(restore rs_\d+, dry run: nothing was restored\)\./);
    expect(run.out).toMatch(/pg_restore {2}15\.\d+ \(.*pg_restore\) can read it/);
    expect(r.transitions).toEqual([
      { state: "downloading" },
      { state: "verifying", sha256: r.kit.sha256 },
      { state: "completed", dryRun: true },
    ]);
  });

  it("refuses a non-empty target before anything is verified or restored, naming what is there (the claim went out meanwhile: the token is used); --clean restores over it", async () => {
    const t = await f.target("busy");
    await f.pg.query(
      `SET ROLE ${t.user}; CREATE TABLE public.customers (id int); INSERT INTO public.customers VALUES (1); CREATE TABLE public.unrelated (x int)`,
      [],
      { db: "busy" },
    );
    const r = await f.offer();
    const refused = await f.run(f.restoreArgs(r, ["--target", t.url]));
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /failed \(preflight, restore rs_\d+\): the restore target restorer_\d+@127\.0\.0\.1:\d+\/busy is not empty: 2 objects \(table public\.customers, table public\.unrelated\)\. .*--clean.* The token is used \(the restore was claimed while this was checked\): issue a new restore to try again\. The target was not touched\./,
    );
    expect(r.state).toBe("failed");
    // The download may have started beside the preflight (it reads the bucket only); nothing is verified or restored.
    expect(r.transitions.at(-1)).toEqual({
      state: "failed",
      stage: "preflight",
      reason: expect.stringContaining("is not empty: 2 objects"),
    });
    expect([[], ["downloading"]]).toContainEqual(r.transitions.map((x) => x.state).slice(0, -1));
    expect(await f.tables("busy")).toEqual(["public.customers", "public.unrelated"]);

    const cleaned = await f.run(f.restoreArgs(await f.offer(), ["--target", t.url, "--clean"]));
    expect(cleaned.code, cleaned.err).toBe(0);
    expect(await f.tables("busy")).toContain("public.unrelated");
    const counts = (await rowCounts(f.pg, "busy")).filter((c) => c.name !== "unrelated");
    expect(counts).toEqual(f.predicate.tables);
  });

  it("--schema restores one schema (created if missing) and checks only its tables", async () => {
    const t = await f.target("only_app");
    // Outside the selection, so allowed: the customers app.orders refers to.
    await f.pg.query(
      `SET ROLE ${t.user}; CREATE TABLE public.customers (id int PRIMARY KEY); INSERT INTO public.customers SELECT generate_series(1, 500)`,
      [],
      { db: "only_app" },
    );
    const r = await f.offer();
    const run = await f.run(f.restoreArgs(r, ["--target", t.url, "--schema", "app", "--json"]));
    expect(run.code, run.err).toBe(0);
    const s = JSON.parse(run.out);
    expect(s.tables.map((x: { schema: string; name: string }) => `${x.schema}.${x.name}`)).toEqual([
      "app.events_2026",
      "app.events_2027",
      "app.orders",
    ]);
    expect((await f.tables("only_app")).sort()).toEqual([
      "app.events",
      "app.events_2026",
      "app.events_2027",
      "app.orders",
      "public.customers",
    ]);
  });

  it("--table restores just that table's definition and data", async () => {
    const t = await f.target("one_table");
    const r = await f.offer();
    const run = await f.run(f.restoreArgs(r, ["--target", t.url, "--table", "customers"]));
    expect(run.code, run.err).toBe(0);
    expect(await f.tables("one_table")).toEqual(["public.customers"]);
    expect(run.out).toMatch(/check {7}1 table, 500 rows/);
  });

  it("restores gzip-compressed and uncompressed backups too (the predicate says which), in --download-dir, and leaves nothing there", async () => {
    const raw = execFileSync("zstd", ["-d", "-q", "-c"], { input: f.dump });
    for (const [compression, bytes] of [
      ["gzip", gzipSync(raw)],
      ["none", raw],
    ] as const) {
      const db = `as_${compression}`;
      const t = await f.target(db);
      const dir = mkdtempSync(join(tmpdir(), "ww-cli-dl-"));
      const r = await f.offer({ bytes, predicate: { compression } });
      const run = await f.run(f.restoreArgs(r, ["--target", t.url, "--download-dir", dir]));
      expect(run.code, run.err).toBe(0);
      expect(await rowCounts(f.pg, db)).toEqual(f.predicate.tables);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it("--keep-file keeps the verified download (not the decompressed archive) in the directory given", async () => {
    const t = await f.target("kept");
    const dir = mkdtempSync(join(tmpdir(), "ww-cli-kept-"));
    const r = await f.offer();
    const run = await f.run(f.restoreArgs(r, ["--target", t.url, "--keep-file", dir]));
    expect(run.code, run.err).toBe(0);
    expect(readdirSync(dir)).toEqual(["bk_01.dump.zst"]);
    expect(readFileSync(join(dir, "bk_01.dump.zst")).equals(f.dump)).toBe(true);
    expect(run.out).toContain(`kept        ${join(dir, "bk_01.dump.zst")}`);
  });

  it("pins the API's keys on first use, then refuses a restore when a published key changed, before claiming", async () => {
    const config = keyDir();
    const t = await f.target("tofu");
    const first = await f.offer();
    const run1 = await f.run(f.restoreArgs(first, ["--target", t.url, "--dry-run"]), { WALWARDEN_CONFIG_DIR: config });
    expect(run1.code, run1.err).toBe(0);
    expect(run1.err).toContain(
      `First use of ${f.worker.url}: pinned its published keys (log origin walwarden.test/log)`,
    );
    expect(run1.err).toContain(f.worker.published.manifest[0]);
    expect(JSON.parse(readFileSync(join(config, "keys.json"), "utf8")).apis[f.worker.url]).toMatchObject({
      origin: "walwarden.test/log",
      manifest: f.worker.published.manifest,
    });

    const run2 = await f.run(f.restoreArgs(await f.offer(), ["--target", t.url, "--dry-run"]), {
      WALWARDEN_CONFIG_DIR: config,
    });
    expect(run2.code, run2.err).toBe(0);
    expect(run2.err).not.toContain("First use");

    const saved = f.worker.published;
    const rotated = signer("walwarden.test/manifest", 99);
    f.worker.published = { ...saved, manifest: [formatVkey(rotated.name, rotated.publicKey)] };
    try {
      const third = await f.offer();
      const run3 = await f.run(f.restoreArgs(third, ["--target", t.url, "--dry-run"]), {
        WALWARDEN_CONFIG_DIR: config,
      });
      expect(run3.code).toBe(1);
      expect(run3.err).toContain(`manifest key ${f.worker.published.manifest[0]} is published but not pinned`);
      expect(run3.err).toContain("is published but not pinned");
      expect(run3.err).toContain(`${saved.manifest[0]} is pinned but no longer published`);
      expect(run3.err).toContain(`walwarden keys pin --api ${f.worker.url}`);
      expect(third.state).toBe("issued");
    } finally {
      f.worker.published = saved;
    }
    expect(existsSync(join(config, "keys.json"))).toBe(true);
  });
});
