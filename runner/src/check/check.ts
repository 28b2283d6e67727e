import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import type { RunnerConfig } from "../config/schema.js";
import { publishedKeys } from "../context.js";
import { pgTarget } from "../pg/connection.js";
import { choosePgDump, findPgDumps } from "../pg/pg-dump-binaries.js";
import { pgDumpCommand } from "../pg/dump-command.js";
import { serverVersionOf } from "../pg/snapshot-session.js";
import { knownSecrets } from "../log/known-secrets.js";
import { postureRows } from "../posture/posture-rows.js";
import { readBucketPosture } from "../posture/read-posture.js";
import { makeS3Client } from "../s3/s3-client.js";
import type { CheckRow } from "./check-row.js";
import { privilegeRows } from "./privileges/privilege-rows.js";

const run = promisify(execFile);

/**
 * `walwarden-runner check`: each database is reachable, its server version, the pg_dump chosen for it
 * and a schema-only dump with the configured options succeeding; then what the data would meet, which a
 * schema-only dump never reads (row-level security, tables, sequences, schemas and large objects the
 * role cannot read); the bucket accepts a write and a delete; its posture (SPEC §12: versioning, Object
 * Lock, public access, encryption, lifecycle; a part it cannot read is a warning, not a failure); the
 * compressor runs; the API answers.
 */
export async function runChecks(config: RunnerConfig, env: NodeJS.ProcessEnv): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const binaries = await findPgDumps(config.pgBinDirs, env);
  for (const [id, db] of Object.entries(config.databases)) {
    const target = pgTarget(db, env);
    if (!target.ok) {
      rows.push({ check: `database ${id}`, ok: false, detail: target.message });
      continue;
    }
    const version = await serverVersionOf(target.value);
    if (!version.ok) {
      rows.push({ check: `database ${id}`, ok: false, detail: version.message });
      continue;
    }
    const pgDump = choosePgDump(binaries, version.value.major, version.value.version);
    if (!pgDump.ok) {
      rows.push({ check: `database ${id}`, ok: false, detail: pgDump.message });
      rows.push(...(await privilegeRows(id, db, target.value)));
      continue;
    }
    const cmd = pgDumpCommand(pgDump.value, db, target.value, env, ["--schema-only", "--file=/dev/null", "--no-sync"]);
    try {
      await run(cmd.pgDumpPath, cmd.args, { env: cmd.env, timeout: 120_000 });
      rows.push({
        check: `database ${id}`,
        ok: true,
        detail: `PostgreSQL ${version.value.version} at ${target.value.display}; pg_dump ${pgDump.value.version} (${pgDump.value.path}) can dump its schema`,
      });
    } catch (e) {
      const stderr = String((e as { stderr?: string }).stderr ?? (e as Error).message).trim();
      rows.push({
        check: `database ${id}`,
        ok: false,
        detail: `PostgreSQL ${version.value.version} at ${target.value.display}: a schema-only pg_dump ${pgDump.value.version} failed: ${stderr}`,
      });
    }
    rows.push(...(await privilegeRows(id, db, target.value)));
  }
  rows.push(await checkBucket(config));
  rows.push(...(await checkPosture(config, env)));
  rows.push(await checkCompressor(config));
  rows.push(await checkApi(config));
  return rows;
}

async function checkBucket(config: RunnerConfig): Promise<CheckRow> {
  const s3 = makeS3Client(config.bucket);
  const key = `${config.bucket.prefix ? `${config.bucket.prefix.replace(/\/+$/, "")}/` : ""}.walwarden-check/${randomUUID()}`;
  const name = `bucket ${config.bucket.bucket}`;
  try {
    try {
      await s3.send(new PutObjectCommand({ Bucket: config.bucket.bucket, Key: key, Body: "walwarden-runner check" }));
    } catch (e) {
      return { check: name, ok: false, detail: `cannot write ${key}: ${(e as Error).name}: ${(e as Error).message}` };
    }
    try {
      await s3.send(new DeleteObjectCommand({ Bucket: config.bucket.bucket, Key: key }));
    } catch (e) {
      return { check: name, ok: false, detail: `wrote ${key} but cannot delete it: ${(e as Error).message}` };
    }
  } finally {
    s3.destroy();
  }
  return {
    check: name,
    ok: true,
    detail: `wrote and deleted ${key}${config.bucket.endpoint ? ` at ${config.bucket.endpoint}` : ""}`,
  };
}

async function checkPosture(config: RunnerConfig, env: NodeJS.ProcessEnv): Promise<CheckRow[]> {
  const s3 = makeS3Client(config.bucket);
  try {
    return postureRows(
      await readBucketPosture(s3, config.bucket, { secrets: knownSecrets(config, env) }),
      config.bucket,
    );
  } finally {
    s3.destroy();
  }
}

async function checkCompressor(config: RunnerConfig): Promise<CheckRow> {
  const name = `compressor ${config.compression.algorithm}`;
  if (config.compression.algorithm !== "zstd")
    return {
      check: name,
      ok: true,
      detail: config.compression.algorithm === "gzip" ? "Node's zlib" : "no compression",
    };
  try {
    const { stdout } = await run("zstd", ["--version"], { timeout: 10_000 });
    return { check: name, ok: true, detail: stdout.trim() };
  } catch (e) {
    return {
      check: name,
      ok: false,
      detail: `zstd does not run (${(e as Error).message}): install zstd or set compression.algorithm`,
    };
  }
}

async function checkApi(config: RunnerConfig): Promise<CheckRow> {
  try {
    const keys = await publishedKeys(config.api);
    return { check: "api", ok: true, detail: `${config.api} publishes ${keys.length} keys` };
  } catch (e) {
    return { check: "api", ok: false, detail: `${config.api}: ${(e as Error).message}` };
  }
}

/** The check rows as an aligned text table. */
export function formatCheckTable(rows: CheckRow[]): string {
  const w = Math.max(5, ...rows.map((r) => r.check.length));
  const lines = [
    `${"CHECK".padEnd(w)}  RESULT  DETAIL`,
    ...rows.map((r) => `${r.check.padEnd(w)}  ${(!r.ok ? "FAIL" : r.warning ? "warn" : "ok").padEnd(6)}  ${r.detail}`),
  ];
  return `${lines.join("\n")}\n`;
}
