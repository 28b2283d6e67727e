import { randomBytes } from "node:crypto";
import { appendFile, chown, mkdir, readFile, readlink, realpath, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { pgConnection } from "@walwarden/postgres";
import { err, ok, type Result } from "@walwarden/verifier";
import pg from "pg";
import type { DrillTarget, TargetErrorCode } from "./drill-target.js";
import { shortVersion } from "./drill-target.js";
import { runServerProgram, serverAccount, type ServerAccount } from "./server-account.js";
import type { ServerBinaries } from "./server-binaries.js";

/**
 * A restore's settings as PostgreSQL's "Populating a Database" (§14.4) gives them, for a cluster that only
 * ever receives one pg_restore: no WAL for the COPY into a table pg_restore created (wal_level minimal,
 * which pg_restore's parallel mode relies on by truncating first), no checkpoint in the middle, more memory
 * for the index builds (one per pg_restore job at once).
 */
const BULK_LOAD =
  "wal_level = minimal\nmax_wal_senders = 0\narchive_mode = off\nmax_wal_size = '4GB'\nmaintenance_work_mem = '256MB'\n";

/** The superuser of a drill cluster. */
const SUPERUSER = "walwarden_drill";

/**
 * Starts a throwaway cluster in `clusterDir` (made here; its parent is the drill's journaled work dir):
 * initdb as an unprivileged user (`postgres` when the runner is root), scram-sha-256 with a random
 * password over TCP, on a free loopback port, no Unix socket (its path would be limited to 107 bytes, so a
 * deep scratch dir could not start; and nobody can connect but by the password), durability off (a drill
 * target never survives a crash), then pg_ctl start. remove() stops it (fast, then immediate) and deletes the dir.
 */
export async function startLocalTarget(
  clusterDir: string,
  server: ServerBinaries,
  signal: AbortSignal,
): Promise<Result<DrillTarget, TargetErrorCode>> {
  const account = serverAccount();
  if (typeof account === "string") return err("unusable", account);
  const dataDir = join(clusterDir, "data");
  const password = randomBytes(18).toString("base64url");
  const remove = () => stopLocalCluster(clusterDir, server.dir, account);
  const fail = async (code: TargetErrorCode, message: string) => {
    await remove();
    return err(code, message);
  };
  try {
    await mkdir(clusterDir, { mode: 0o700 });
    if (account) await chown(clusterDir, account.uid, account.gid);
    const pwfile = join(clusterDir, "pwfile");
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (account) await chown(pwfile, account.uid, account.gid);
  } catch (e) {
    return fail(
      "unavailable",
      `cannot make the drill cluster's directory ${clusterDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const initdb = await runServerProgram(
    join(server.dir, "initdb"),
    [
      "-D",
      dataDir,
      "-U",
      SUPERUSER,
      `--pwfile=${join(clusterDir, "pwfile")}`,
      "--auth-host=scram-sha-256",
      "--auth-local=reject",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ],
    { account, cwd: clusterDir },
  );
  await rm(join(clusterDir, "pwfile"), { force: true });
  if (!initdb.ok)
    return fail(
      "unavailable",
      `initdb failed: ${initdb.output}${account ? ` (it runs as the postgres OS user, which must be able to reach ${clusterDir}: every parent directory needs o+x, or set drills.local.scratchDir)` : ""}`,
    );
  if (signal.aborted) return fail("interrupted", "stopped before the drill cluster started");
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    await appendFile(
      join(dataDir, "postgresql.conf"),
      `\n# walwarden drill cluster: loopback only, no durability\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\nfull_page_writes = off\nsynchronous_commit = off\n${BULK_LOAD}`,
    );
    const logFile = join(clusterDir, "server.log");
    const started = await runServerProgram(
      join(server.dir, "pg_ctl"),
      ["start", "-w", "-t", "60", "-D", dataDir, "-l", logFile],
      { account, cwd: clusterDir },
    );
    if (started.ok) break;
    const log = await readFile(logFile, "utf8").catch(() => "");
    if (attempt < 5 && /could not bind|Address already in use/.test(log)) continue;
    return fail(
      "unavailable",
      `the drill cluster did not start: ${started.output}\n${log.split("\n").slice(-10).join("\n")}`,
    );
  }
  const connection = pgConnection(
    `postgresql://${SUPERUSER}:${password}@127.0.0.1:${port}/postgres`,
    {},
    "walwarden-drill",
  );
  if (!connection.ok) return fail("unusable", connection.message);
  const client = new pg.Client(connection.value.client);
  client.on("error", () => {});
  try {
    await client.connect();
    const v = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return ok({ kind: "local", connection: connection.value, serverVersion: shortVersion(v.rows[0]!.v), remove });
  } catch (e) {
    return fail("unavailable", `cannot connect to the drill cluster: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Stops a drill cluster and removes its dir: pg_ctl stop -m fast, then -m immediate, then SIGKILL of the
 * postmaster named by its postmaster.pid (only when that process runs in this data dir). Never throws.
 */
export async function stopLocalCluster(
  clusterDir: string,
  binDir: string,
  account: ServerAccount | undefined,
): Promise<void> {
  const dataDir = join(clusterDir, "data");
  const pid = await postmasterPid(dataDir);
  if (pid !== undefined) {
    const pgCtl = join(binDir, "pg_ctl");
    const fast = await runServerProgram(pgCtl, ["stop", "-w", "-t", "30", "-m", "fast", "-D", dataDir], {
      account,
      cwd: clusterDir,
      timeoutMs: 40_000,
    });
    if (!fast.ok) {
      const immediate = await runServerProgram(pgCtl, ["stop", "-w", "-t", "10", "-m", "immediate", "-D", dataDir], {
        account,
        cwd: clusterDir,
        timeoutMs: 20_000,
      });
      if (!immediate.ok && (await runsIn(pid, dataDir))) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
  }
  await rm(clusterDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => {});
}

/** The postmaster's pid from `dataDir/postmaster.pid`, if the file is there. */
export async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, "postmaster.pid"), "utf8").catch(() => undefined);
  const pid = Number(text?.split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether process `pid` is a postmaster of `dataDir` (it chdirs to its data dir): not a reused pid. */
export async function runsIn(pid: number, dataDir: string): Promise<boolean> {
  try {
    return (await readlink(`/proc/${pid}/cwd`)) === (await realpath(dataDir));
  } catch {
    return false;
  }
}

/** A TCP port free on loopback now. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}
