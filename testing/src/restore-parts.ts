// The real parts a restore runs against: the Worker (wrangler dev, local D1 and Durable Objects), s3rver
// behind a fault proxy, PostgreSQL 15 with a sample database backed up by the real runner, and the real
// `walwarden` program run as a child process, as an operator runs it.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiCall, issueRestore, putBucketCredential, requestBackup, type IssuedRestore } from "./api/index.js";
import { CLI_BIN, ROOT } from "./root.js";
import { addDatabase, runRunner, runnerConfig, startParts, type Parts } from "./runner-parts.js";
import { createSampleDatabase } from "./sample-data/index.js";

/** Everything a restore test talks to, with one completed backup of database `shop`. */
export interface RestoreParts extends Parts {
  orgId: string;
  databaseId: string;
  backupId: string;
  /** The artifact's key in the bucket. */
  artifactKey: string;
  /** Sets the bucket credential the Worker presigns with (endpoint: where the CLI will download from). */
  presignFor(endpoint: string): Promise<void>;
  /** Issues a restore of the backup as the org's admin. */
  issue(): Promise<IssuedRestore>;
  /** A fresh empty database on the cluster, owned by a fresh login role with a password; its URL. */
  target(
    name: string,
    options?: { owner?: boolean },
  ): Promise<{ url: string; db: string; user: string; password: string }>;
}

/** Starts the parts (with the dashboard served when asked) and makes one real backup of the sample database with the runner. */
export async function startRestoreParts(options: { dashboard?: boolean } = {}): Promise<RestoreParts> {
  const parts = await startParts(options);
  await createSampleDatabase(parts.pg, "shop");
  const me = await apiCall<{ principal: { orgId: string } }>(parts.dev, "GET", "/v1/auth/me", { cookie: parts.cookie });
  const databaseId = await addDatabase(parts, "shop");
  const job = await requestBackup(parts.dev, parts.cookie, databaseId);
  const { path } = runnerConfig(parts, { [databaseId]: { url: parts.pg.url("shop") } });
  const r = await runRunner(["run", "--once", "--config", path]);
  const done = r.lines.find((l) => l.event === "backup.completed") as { key?: string } | undefined;
  if (r.code !== 0 || !done?.key)
    throw new Error(
      `the runner did not complete a backup (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`,
    );
  let roles = 0;
  const rp: RestoreParts = {
    ...parts,
    orgId: me.principal.orgId,
    databaseId,
    backupId: job.backupId,
    artifactKey: done.key,
    presignFor: async (endpoint) => {
      await putBucketCredential(parts.dev, parts.cookie, parts.s3.bucket, {
        endpoint,
        region: parts.s3.region,
        forcePathStyle: true,
        accessKeyId: parts.s3.accessKeyId,
        secretAccessKey: parts.s3.secretAccessKey,
      });
    },
    issue: () => issueRestore(parts.dev, parts.cookie, job.backupId),
    target: async (name, { owner = true } = {}) => {
      const user = `restorer_${++roles}`;
      const password = `Tgt-${Math.random().toString(36).slice(2)}-s3cret`;
      await parts.pg.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
      await parts.pg.createDatabase(name);
      if (owner) await parts.pg.query(`ALTER DATABASE ${name} OWNER TO ${user}`);
      await parts.pg.query(`ALTER SCHEMA public OWNER TO ${owner ? user : "postgres"}`, [], { db: name });
      return { url: parts.pg.url(name, user, password), db: name, user, password };
    },
  };
  await rp.presignFor(parts.proxy.endpoint);
  return rp;
}

/** How a `walwarden` run ended and what it printed. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `walwarden <args>` to the end with a private config dir (pinned keys) unless one is given. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const configDir = env.WALWARDEN_CONFIG_DIR ?? mkdtempSync(join(tmpdir(), "ww-cli-config-"));
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, WALWARDEN_CONFIG_DIR: configDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
