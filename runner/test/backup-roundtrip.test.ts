// A backup round-trips through real parts: the Worker (wrangler dev, local D1 and Durable Objects),
// s3rver (SigV4-checking) and PostgreSQL 15. The stored object is restored with stock tools by the
// walk-away kit's own script, and every table's rows and contents match the source.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schemaFingerprint } from "@walwarden/postgres";
import { canonicalBytes, decodeEntry, KIT_FILES, type PgDumpPredicate } from "@walwarden/verifier";
import pg from "pg";
import { getJob, listBackups, publishedKeys, requestBackup } from "@walwarden/testing/api";
import {
  addDatabase,
  getObject,
  listKeys,
  openUploads,
  ROOT,
  runRunner,
  runnerConfig,
  startParts,
  type Parts,
} from "@walwarden/testing/runner-parts";
import { createSampleDatabase, tableChecksums } from "@walwarden/testing/sample-data";

const run = promisify(execFile);
let parts: Parts;

beforeAll(async () => {
  parts = await startParts();
  await createSampleDatabase(parts.pg, "shop");
}, 240_000);
afterAll(async () => parts?.stop());

/** The schema fingerprint of a database of the test cluster, as the runner computes it. */
async function fingerprintOf(db: string): Promise<string> {
  const client = new pg.Client({ connectionString: parts.pg.url(db) });
  await client.connect();
  try {
    return await schemaFingerprint(client, { schemas: [], excludeSchemas: [] });
  } finally {
    await client.end();
  }
}

/** Downloads every object under the artifact's folder whose name starts with the backup id into a temp dir. */
async function downloadKit(artifactKey: string, backupId: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "ww-kit-"));
  const folder = artifactKey.slice(0, artifactKey.lastIndexOf("/") + 1);
  for (const key of await listKeys(parts, folder + backupId))
    writeFileSync(join(dir, key.slice(folder.length)), await getObject(parts, key));
  return dir;
}

describe("a backup", () => {
  let databaseId: string;
  let backupId: string;
  let artifactKey: string;
  let predicate: PgDumpPredicate;

  it("runs claim → pg_dump → zstd → SHA-256 → S3 → complete, and writes the walk-away kit", async () => {
    databaseId = await addDatabase(parts, "shop");
    const job = await requestBackup(parts.dev, parts.cookie, databaseId);
    backupId = job.backupId;
    const { path } = runnerConfig(parts, { [databaseId]: { url: parts.pg.url("shop") } });
    const r = await runRunner(["run", "--once", "--config", path]);
    expect(r.stderr).not.toMatch(/error|fail/i); // (the AWS SDK warns on Node 20 that it will soon need Node 22)
    expect(r.code).toBe(0);
    const done = r.lines.find((l) => l.event === "backup.completed");
    expect(done).toBeDefined();
    artifactKey = String(done!.key);
    // <prefix>/<database>/<yyyy>/<mm>/<dd>/<backupId>.<ext>
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, "/");
    expect(artifactKey).toBe(`walwarden/${databaseId}/${today}/${backupId}.dump.zst`);
    expect((await getJob(parts.dev, parts.cookie, job.jobId)).status).toBe("succeeded");

    const keys = await listKeys(parts, `walwarden/${databaseId}/`);
    const base = artifactKey.replace(/\.dump\.zst$/, "");
    expect(keys).toEqual(
      [
        `${base}.README.md`,
        `${base}.checkpoint.txt`,
        artifactKey,
        `${base}.entry.json`,
        `${base}.manifest.json`,
        `${base}.proof.json`,
        `${base}.restore.sh`,
      ].sort(),
    );
    expect(await openUploads(parts)).toEqual([]);
    // Nothing in the runner's output carries the connection string or its password.
    expect(r.stdout).not.toContain(parts.pg.password);
  });

  it("is signed: the manifest names the stored bytes, and the Worker's record agrees", async () => {
    const artifact = await getObject(parts, artifactKey);
    const sha = createHash("sha256").update(artifact).digest("hex");
    const manifestText = (await getObject(parts, artifactKey.replace(/\.dump\.zst$/, ".manifest.json"))).toString(
      "utf8",
    );
    const envelope = JSON.parse(manifestText);
    expect(new TextDecoder().decode(canonicalBytes(envelope))).toBe(manifestText);
    const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8"));
    expect(statement.subject).toEqual([{ name: `s3://acme-backups/${artifactKey}`, digest: { sha256: sha } }]);
    predicate = statement.predicate;
    expect(predicate).toMatchObject({
      backupId,
      databaseId,
      sizeBytes: artifact.length,
      compression: "zstd",
      dumpFormat: "custom",
      runner: { id: parts.runner.id },
    });
    expect(predicate.serverVersion).toMatch(/^15\./);
    expect(predicate.pgDumpVersion).toMatch(/^15\./);
    const entry = decodeEntry(await getObject(parts, artifactKey.replace(/\.dump\.zst$/, ".entry.json")));
    expect(entry.ok && entry.value.type).toBe("backup.completed");
    const backups = await listBackups(parts.dev, parts.cookie, { databaseId });
    expect(backups.items.map((b) => [b.id, b.sha256, b.sizeBytes])).toEqual([[backupId, sha, artifact.length]]);
  });

  it("records every table's row count and the schema fingerprint from the dump's snapshot", async () => {
    const source = await tableChecksums(parts.pg, "shop");
    expect(Object.fromEntries(predicate.tables.map((t) => [`${t.schema}.${t.name}`, t.rows]))).toEqual(
      Object.fromEntries(Object.entries(source).map(([k, v]) => [k, v.rows])),
    );
    expect(predicate.tables.find((t) => t.name === "customers")?.rows).toBe(3000);
    expect(await fingerprintOf("shop")).toBe(predicate.schemaFingerprint);
  });

  it("restores with the kit's own script (walwarden-verify, then zstd and stock pg_restore): every table matches the source", async () => {
    const dir = await downloadKit(artifactKey, backupId);
    await parts.pg.createDatabase("shop_restored");
    const keys = await publishedKeys(parts.dev);
    const script = join(dir, `${backupId}.restore.sh`);
    const env = {
      ...process.env,
      PATH: `${join(ROOT, "node_modules/.bin")}:/usr/lib/postgresql/15/bin:${process.env.PATH}`,
    };
    const { stdout } = await run(
      "sh",
      [
        script,
        parts.pg.url("shop_restored"),
        ...keys.checkpoint.flatMap((k) => ["--key", k]),
        ...keys.manifest.flatMap((k) => ["--key", k]),
      ],
      { env },
    );
    expect(stdout).toContain("VERIFIED");
    expect(stdout).toContain(`restored ${backupId}`);
    expect(await tableChecksums(parts.pg, "shop_restored")).toEqual(await tableChecksums(parts.pg, "shop"));
    expect(await fingerprintOf("shop_restored")).toBe(predicate.schemaFingerprint);
  });

  it("the kit's script refuses to restore a tampered dump", async () => {
    const dir = await downloadKit(artifactKey, backupId);
    const artifact = join(dir, `${backupId}.dump.zst`);
    const bytes = await getObject(parts, artifactKey);
    bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 1, bytes.length >> 1);
    writeFileSync(artifact, bytes);
    await parts.pg.createDatabase("shop_tampered");
    const keys = await publishedKeys(parts.dev);
    const env = {
      ...process.env,
      PATH: `${join(ROOT, "node_modules/.bin")}:/usr/lib/postgresql/15/bin:${process.env.PATH}`,
    };
    const r = await run(
      "sh",
      [
        join(dir, `${backupId}.restore.sh`),
        parts.pg.url("shop_tampered"),
        ...[...keys.checkpoint, ...keys.manifest].flatMap((k) => ["--key", k]),
      ],
      { env },
    ).then(
      () => ({ code: 0, stdout: "" }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("NOT VERIFIED");
    const tables = await parts.pg.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'sales')",
      [],
      { db: "shop_tampered" },
    );
    expect(Number(tables[0]!.n)).toBe(0);
  });
});

describe("a non-superuser role that can only read its own schema", () => {
  it("backs up that schema with --schema, and it restores", async () => {
    await parts.pg.createDatabase("tenantdb");
    await parts.pg.query(
      `CREATE ROLE tenant_reader LOGIN PASSWORD 'reader-pw-123';
       CREATE SCHEMA tenant; CREATE SCHEMA secret;
       CREATE TABLE tenant.accounts (id serial PRIMARY KEY, name text, balance numeric(12,2));
       INSERT INTO tenant.accounts (name, balance) SELECT 'acct ' || i, i * 3.25 FROM generate_series(1, 500) i;
       CREATE TABLE secret.keys (k text); INSERT INTO secret.keys VALUES ('do not read');
       GRANT USAGE ON SCHEMA tenant TO tenant_reader;
       GRANT SELECT ON ALL TABLES IN SCHEMA tenant TO tenant_reader;
       GRANT SELECT ON ALL SEQUENCES IN SCHEMA tenant TO tenant_reader;`,
      [],
      { db: "tenantdb" },
    );
    const [role] = await parts.pg.query<{ rolsuper: boolean }>(
      "SELECT rolsuper FROM pg_roles WHERE rolname = 'tenant_reader'",
    );
    expect(role!.rolsuper).toBe(false);
    const databaseId = await addDatabase(parts, "tenant");
    const job = await requestBackup(parts.dev, parts.cookie, databaseId);
    const { path } = runnerConfig(parts, {
      [databaseId]: { url: parts.pg.url("tenantdb", "tenant_reader", "reader-pw-123"), schemas: ["tenant"] },
    });
    const r = await runRunner(["run", "--once", "--config", path]);
    expect(r.code, r.stdout).toBe(0);
    expect((await getJob(parts.dev, parts.cookie, job.jobId)).status).toBe("succeeded");
    const key = String(r.lines.find((l) => l.event === "backup.completed")!.key);
    const dump = join(mkdtempSync(join(tmpdir(), "ww-tenant-")), "t.dump.zst");
    writeFileSync(dump, await getObject(parts, key));
    await run("zstd", ["-q", "-d", dump]);
    await parts.pg.createDatabase("tenant_restored");
    await run("/usr/lib/postgresql/15/bin/pg_restore", [
      "--no-owner",
      "--exit-on-error",
      "-d",
      parts.pg.url("tenant_restored"),
      dump.replace(/\.zst$/, ""),
    ]);
    expect(await tableChecksums(parts.pg, "tenant_restored")).toEqual(
      await tableChecksums(parts.pg, "tenantdb", ["tenant"]),
    );
  });
});

describe("Object Lock (PutObjectRetention emulated by the test proxy: the local S3 server has no Object Lock)", () => {
  it("uploads the dump unlocked, writes the kit locked, then locks the dump with the retention the manifest declares", async () => {
    const databaseId = await addDatabase(parts, "locked");
    await requestBackup(parts.dev, parts.cookie, databaseId);
    parts.setFaults((_req, info) =>
      info.op === "PutObjectRetention" ? { action: "respond", status: 200 } : undefined,
    );
    const mark = parts.proxy.requests.length;
    try {
      const { path } = runnerConfig(parts, { [databaseId]: { url: parts.pg.url("shop") } }, {});
      const cfg = JSON.parse(readFileSync(path, "utf8"));
      cfg.bucket.objectLock = { mode: "GOVERNANCE", retainDays: 30 };
      writeFileSync(path, JSON.stringify(cfg));
      const r = await runRunner(["run", "--once", "--config", path]);
      expect(r.code, r.stdout.slice(-2000)).toBe(0);
    } finally {
      parts.setFaults(undefined);
    }
    const reqs = parts.proxy.requests.slice(mark);
    const manifestKey = reqs
      .find((q) => q.op === "PutObject" && q.path.endsWith(".manifest.json"))!
      .path.replace(/^\/acme-backups\//, "");
    const envelope = JSON.parse((await getObject(parts, manifestKey)).toString("utf8"));
    const lock = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")).predicate.s3.objectLock;
    expect(lock.mode).toBe("GOVERNANCE");
    const days = (Date.parse(lock.retainUntil) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    // The dump itself goes up without a lock (so it can still be deleted if the manifest is never signed)…
    const dumpWrites = reqs.filter(
      (q) => (q.op === "PutObject" || q.op === "CreateMultipartUpload") && q.path.endsWith(".dump.zst"),
    );
    expect(dumpWrites.length).toBe(1);
    expect(dumpWrites[0]!.headers["x-amz-object-lock-mode"]).toBeUndefined();
    // …every kit object is written locked, with an integrity checksum as S3 requires under Object Lock…
    const anchored = (q: { path: string }) => q.path.startsWith("/acme-backups/walwarden/checkpoints/");
    const kitWrites = reqs.filter((q) => q.op === "PutObject" && !q.path.endsWith(".dump.zst") && !anchored(q));
    expect(kitWrites).toHaveLength(6);
    for (const q of kitWrites) {
      expect(q.headers["x-amz-object-lock-mode"]).toBe("GOVERNANCE");
      expect(Date.parse(String(q.headers["x-amz-object-lock-retain-until-date"]))).toBe(Date.parse(lock.retainUntil));
      expect(Object.keys(q.headers).some((h) => h.startsWith("x-amz-checksum-") || h === "content-md5")).toBe(true);
    }
    // …and so is every checkpoint the runner anchored as its org's witness (SPEC §13), for retainDays from then.
    const anchorWrites = reqs.filter((q) => q.op === "PutObject" && anchored(q));
    expect(anchorWrites.length).toBeGreaterThanOrEqual(3);
    for (const q of anchorWrites) {
      expect(q.headers["x-amz-object-lock-mode"]).toBe("GOVERNANCE");
      const days = (Date.parse(String(q.headers["x-amz-object-lock-retain-until-date"])) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29.9);
      expect(days).toBeLessThan(30.1);
      expect(Object.keys(q.headers).some((h) => h.startsWith("x-amz-checksum-") || h === "content-md5")).toBe(true);
    }
    // …and the dump is locked last, with the same retention.
    const retention = reqs.filter((q) => q.op === "PutObjectRetention");
    expect(retention.map((q) => q.path)).toEqual([dumpWrites[0]!.path]);
    expect(reqs.indexOf(retention[0]!)).toBeGreaterThan(reqs.indexOf(kitWrites[kitWrites.length - 1]!));
  });
});

describe("concurrency", () => {
  it("runs two jobs at once with concurrency 2, each with its own snapshot, upload and kit", async () => {
    const a = await addDatabase(parts, "conc-a");
    const b = await addDatabase(parts, "conc-b");
    const jobs = [await requestBackup(parts.dev, parts.cookie, a), await requestBackup(parts.dev, parts.cookie, b)];
    const { path } = runnerConfig(
      parts,
      { [a]: { url: parts.pg.url("shop") }, [b]: { url: parts.pg.url("tenantdb") } },
      { concurrency: 2 },
    );
    const r = await runRunner(["run", "--once", "--config", path]);
    expect(r.code, r.stdout.slice(-2000)).toBe(0);
    const started = r.lines.filter((l) => l.event === "backup.started").map((l) => Date.parse(String(l.time)));
    const completed = r.lines.filter((l) => l.event === "backup.completed").map((l) => Date.parse(String(l.time)));
    expect(started).toHaveLength(2);
    expect(completed).toHaveLength(2);
    // They overlapped: the second started before the first finished.
    expect(Math.max(...started)).toBeLessThan(Math.min(...completed));
    for (const j of jobs) expect((await getJob(parts.dev, parts.cookie, j.jobId)).status).toBe("succeeded");
    for (const id of [a, b])
      expect((await listKeys(parts, `walwarden/${id}/`)).filter((k) => k.endsWith(".manifest.json"))).toHaveLength(1);
  });
});

describe("other compressions", () => {
  for (const algorithm of ["gzip", "none"] as const) {
    it(`with compression ${algorithm}, the kit names its files by the layout and its script restores the dump`, async () => {
      const databaseId = await addDatabase(parts, `comp-${algorithm}`);
      const job = await requestBackup(parts.dev, parts.cookie, databaseId);
      const { path } = runnerConfig(
        parts,
        { [databaseId]: { url: parts.pg.url("shop") } },
        { compression: { algorithm } },
      );
      const r = await runRunner(["run", "--once", "--config", path]);
      expect(r.code, r.stdout.slice(-2000)).toBe(0);
      const key = String(r.lines.find((l) => l.event === "backup.completed")!.key);
      expect(key).toMatch(algorithm === "gzip" ? /\.dump\.gz$/ : /\.dump$/);
      const dir = await downloadKit(key, job.backupId);
      await parts.pg.createDatabase(`shop_${algorithm}`);
      const keys = await publishedKeys(parts.dev);
      const env = {
        ...process.env,
        PATH: `${join(ROOT, "node_modules/.bin")}:/usr/lib/postgresql/15/bin:${process.env.PATH}`,
      };
      const { stdout } = await run(
        "sh",
        [
          join(dir, `${job.backupId}.restore.sh`),
          parts.pg.url(`shop_${algorithm}`),
          ...[...keys.checkpoint, ...keys.manifest].flatMap((k) => ["--key", k]),
        ],
        { env },
      );
      expect(stdout).toContain("VERIFIED");
      expect(await tableChecksums(parts.pg, `shop_${algorithm}`)).toEqual(await tableChecksums(parts.pg, "shop"));
      const readme = readFileSync(join(dir, `${job.backupId}.README.md`), "utf8");
      for (const [file, suffix] of Object.entries(KIT_FILES))
        if (file !== "readme") expect(readme).toContain(`${job.backupId}.${suffix}`);
    });
  }
});
