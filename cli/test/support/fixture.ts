// The parts a restore test runs against: PostgreSQL 15 (a sample source database, its zstd dump, and
// fresh targets), s3rver behind the fault proxy holding the dump, the contract stand-in for the Worker,
// and ways to run the CLI: in this process (fast) or as the real bin (for signals).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { PgDumpPredicate } from "@walwarden/verifier";
import { startCluster, type Cluster } from "@walwarden/testing/postgres";
import {
  localS3Client,
  startFaultProxy,
  startS3,
  type FaultProxy,
  type FaultRule,
  type LocalS3,
} from "@walwarden/testing/s3";
import { main } from "../../src/bin/walwarden.js";
import { bufferIo } from "../../src/io.js";
import { startContractWorker, type ContractWorker, type OfferedRestore } from "./contract-worker.js";
import { predicateFor, publishedKeysOf, signedKit } from "./kit.js";
import { presignGet } from "./presign.js";
import { createSampleDb, rowCounts, zstdDump } from "./sample-db.js";

const CLI_BIN = resolve(import.meta.dirname, "../../bin/walwarden.js");

/** A database to restore into, owned by its own login role. */
export interface Target {
  db: string;
  user: string;
  password: string;
  url: string;
}

/** How a CLI run ended. */
export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/** Everything a restore test talks to. */
export interface Fixture {
  pg: Cluster;
  s3: LocalS3;
  s3Client: S3Client;
  proxy: FaultProxy;
  worker: ContractWorker;
  dump: Buffer;
  predicate: PgDumpPredicate;
  setFaults(rule: FaultRule | undefined): void;
  /** Uploads `bytes` as the backup object and offers a restore of it with a kit signed for `predicate`. */
  offer(o?: {
    predicate?: Partial<PgDumpPredicate>;
    bytes?: Buffer;
    signedBytes?: Buffer;
    orgId?: string;
    refuse?: OfferedRestore["refuse"];
  }): Promise<OfferedRestore>;
  /** A fresh empty database owned by a fresh role with a password. */
  target(name: string): Promise<Target>;
  /** `walwarden restore` arguments for an offered restore. */
  restoreArgs(r: OfferedRestore, extra?: string[]): string[];
  /** Runs `walwarden` in this process with a private config dir (unless env has one). */
  run(args: string[], env?: Record<string, string>): Promise<CliRun>;
  /** Runs the real bin as a child process; `during` gets the child once it started. */
  spawn(
    args: string[],
    env?: Record<string, string>,
    during?: (pid: number, stderr: () => string) => void,
  ): Promise<CliRun>;
  /** User tables in a database. */
  tables(db: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts PostgreSQL 15 with the sample database, s3rver and its fault proxy, and the Worker stand-in. */
export async function startFixture(): Promise<Fixture> {
  const [pg, s3] = await Promise.all([startCluster({ name: "cli-restore" }), startS3({ bucket: "acme-backups" })]);
  await createSampleDb(pg, "shop");
  const dump = await zstdDump(pg, "shop");
  const version = (await pg.query<{ v: string }>("SELECT current_setting('server_version') AS v"))[0]!.v.split(" ")[0]!;
  const predicate = predicateFor(dump, {
    tables: await rowCounts(pg, "shop"),
    serverVersion: version,
    pgDumpVersion: version,
  });
  let faults: FaultRule | undefined;
  const proxy = await startFaultProxy({ target: s3.endpoint, rules: (req, info) => faults?.(req, info) });
  const s3Client = localS3Client(s3);
  const worker = await startContractWorker(publishedKeysOf());
  let roles = 0;
  let uploads = 0;
  const f: Fixture = {
    pg,
    s3,
    s3Client,
    proxy,
    worker,
    dump,
    predicate,
    setFaults: (rule) => void (faults = rule),
    async offer(o = {}) {
      const bytes = o.bytes ?? dump;
      const key = `walwarden/db_main/2026/11/24/bk_${++uploads}.dump.zst`;
      await s3Client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: bytes }));
      const p = { ...predicate, s3: { ...predicate.s3, key }, ...o.predicate };
      const signed = o.signedBytes ?? bytes;
      const kit = signedKit(signed, { ...p, sizeBytes: o.predicate?.sizeBytes ?? signed.length });
      return worker.offer(
        kit,
        { url: await presignGet(s3, proxy.endpoint, key), sizeBytes: bytes.length },
        { ...(o.orgId ? { orgId: o.orgId } : {}), ...(o.refuse ? { refuse: o.refuse } : {}) },
      );
    },
    async target(name) {
      const user = `restorer_${++roles}`;
      const password = `Tgt-${Math.random().toString(36).slice(2)}-s3cret`;
      await pg.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
      await pg.createDatabase(name);
      await pg.query(`ALTER DATABASE ${name} OWNER TO ${user}`);
      await pg.query(`ALTER SCHEMA public OWNER TO ${user}`, [], { db: name });
      return { db: name, user, password, url: pg.url(name, user, password) };
    },
    restoreArgs: (r, extra = []) => ["restore", "--api", worker.url, "--org", r.orgId, "--token", r.token, ...extra],
    async run(args, env = {}) {
      const io = bufferIo();
      const code = await main(args, {
        io,
        env: { ...process.env, WALWARDEN_CONFIG_DIR: mkdtempSync(join(tmpdir(), "ww-cli-config-")), ...env },
        retry: { attempts: 3, baseMs: 20 },
        download: { backoffMs: 50 },
      });
      return { code, out: io.out, err: io.err };
    },
    spawn(args, env = {}, during) {
      const child = spawn(process.execPath, [CLI_BIN, ...args], {
        env: { ...process.env, WALWARDEN_CONFIG_DIR: mkdtempSync(join(tmpdir(), "ww-cli-config-")), ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
      child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
      during?.(child.pid!, () => err);
      return new Promise((done) => child.on("close", (code) => done({ code, out, err })));
    },
    async tables(db) {
      const rows = await pg.query<{ t: string }>(
        "SELECT schemaname || '.' || tablename AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
        [],
        { db },
      );
      return rows.map((r) => r.t);
    },
    async stop() {
      s3Client.destroy();
      await worker.stop();
      await proxy.stop();
      await Promise.all([s3.stop(), pg.stop()]);
    },
  };
  return f;
}

/** The restore's temporary directories left in the system temp dir (a restore removes its own). */
export function leftoverRestoreDirs(): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith("walwarden-restore-"));
}
