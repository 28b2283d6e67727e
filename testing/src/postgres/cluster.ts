// Throwaway PostgreSQL clusters: initdb + pg_ctl of a real server in a fresh temp dir, on a free loopback
// port, with a random superuser password checked by scram-sha-256 over TCP, as a managed database would.
// Durability is off (fsync, full_page_writes, synchronous_commit): a test cluster never has to survive a
// crash, and it starts and loads faster without. Linux only (reads /proc).
import { randomBytes } from "node:crypto";
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort, liveProcesses, procStat } from "../proc.js";
import { INSTALL_HINT, pgBinDirs, serverVersion } from "./server-binaries.js";
import { runServerProgram, runServerProgramSync, serverAccount } from "./server-process.js";

/** A running throwaway cluster. */
export interface Cluster {
  version: string;
  major: number;
  host: string;
  port: number;
  superuser: string;
  password: string;
  /** The temp dir holding the data dir, socket, and server.log. */
  dir: string;
  dataDir: string;
  binDir: string;
  logFile: string;
  /** The postmaster's pid. */
  pid: number;
  /** A connection URL: the superuser with its password unless `user` is given (then `password`, if any). */
  url(db?: string, user?: string, password?: string): string;
  /** Runs SQL as the superuser over TCP on a fresh connection and returns the rows. */
  // biome-ignore lint/suspicious/noExplicitAny: rows are whatever the SQL selected; callers name their shape
  query<R = Record<string, any>>(sql: string, params?: unknown[], options?: { db?: string }): Promise<R[]>;
  /** CREATE DATABASE; returns its superuser URL. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown, then removes `dir`. */
  stop(): Promise<void>;
  /** SIGKILLs the postmaster and its backends at once, as a crash would: connections drop mid-query. `dir` stays until stop(). */
  kill(): Promise<void>;
}

/** What stop and kill need of a cluster. */
type ClusterFiles = Pick<Cluster, "pid" | "binDir" | "dataDir" | "dir">;

/** Pids of the live children of `pid`, from /proc (the postmaster's backends and helpers). */
function childrenOf(pid: number): number[] {
  return liveProcesses()
    .filter((p) => p.ppid === pid)
    .map((p) => p.pid);
}

/** Whether `pid` runs (a zombie does not: a killed postmaster's parent is init, which reaps it when it gets to it). */
function alive(pid: number): boolean {
  const st = procStat(pid);
  return st !== undefined && st.state !== "Z";
}

/** Every cluster this process started and has not stopped yet. */
const live = new Set<ClusterFiles>();

/**
 * Starts a fresh cluster. `binDir` defaults to the newest OS-installed server; `name` only labels the temp
 * dir. Resolves once it accepts connections.
 */
export async function startCluster({
  binDir,
  name = "cluster",
}: {
  binDir?: string;
  name?: string;
} = {}): Promise<Cluster> {
  if (!binDir) {
    const newest = pgBinDirs()[0];
    if (!newest) throw new Error(`no PostgreSQL server is installed: ${INSTALL_HINT}`);
    binDir = newest.dir;
  }
  for (const tool of ["initdb", "pg_ctl", "postgres"]) {
    if (!existsSync(join(binDir, tool))) throw new Error(`${join(binDir, tool)} is missing: ${INSTALL_HINT}`);
  }
  const { version, major } = serverVersion(binDir);
  const account = serverAccount();
  const dir = mkdtempSync(join(tmpdir(), `walwarden-pg-${name.replace(/[^\w.-]/g, "_")}-`));
  const dataDir = join(dir, "data");
  const logFile = join(dir, "server.log");
  const password = randomBytes(18).toString("base64url");
  const superuser = "postgres";
  const host = "127.0.0.1";
  const files: ClusterFiles = { pid: 0, binDir, dataDir, dir };
  let port = 0;
  live.add(files);
  try {
    if (account) chownSync(dir, account.uid, account.gid);
    const pwfile = join(dir, "pwfile");
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (account) chownSync(pwfile, account.uid, account.gid);
    // Local (socket) connections are trusted: the socket lives in our 0700 temp dir, so only its owner
    // reaches it. TCP, which the runner uses, needs the password, as a managed database does.
    await runServerProgram(
      join(binDir, "initdb"),
      [
        "-D",
        dataDir,
        "-U",
        superuser,
        `--pwfile=${pwfile}`,
        "--auth-host=scram-sha-256",
        "--auth-local=trust",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
        "--no-instructions",
      ],
      { account, cwd: dir },
    );
    rmSync(pwfile);
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      appendFileSync(
        join(dataDir, "postgresql.conf"),
        [
          "",
          "# walwarden test cluster (@walwarden/testing/postgres): loopback only, no durability",
          `port = ${port}`,
          "listen_addresses = '127.0.0.1'",
          `unix_socket_directories = '${dir}'`,
          "fsync = off",
          "full_page_writes = off",
          "synchronous_commit = off",
          "",
        ].join("\n"),
      );
      try {
        await runServerProgram(join(binDir, "pg_ctl"), ["start", "-w", "-t", "60", "-D", dataDir, "-l", logFile], {
          account,
          cwd: dir,
        });
        break;
      } catch (e) {
        // Somebody took the port between our check and the bind: pick another (the last `port` line wins).
        const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
        if (attempt < 5 && /could not bind|Address already in use/.test(log)) continue;
        throw new Error(`${(e as Error).message}\n--- server log ---\n${log.split("\n").slice(-20).join("\n")}`);
      }
    }
    files.pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch (e) {
    await stopCluster(files);
    throw e;
  }

  const url = (db = "postgres", user?: string, pass?: string) => {
    const u = user ?? superuser;
    const p = user === undefined ? password : pass;
    const auth = p === undefined ? encodeURIComponent(u) : `${encodeURIComponent(u)}:${encodeURIComponent(p)}`;
    return `postgresql://${auth}@${host}:${port}/${encodeURIComponent(db)}`;
  };

  // One connection per call: nothing is left open when the test kills the server.
  // biome-ignore lint/suspicious/noExplicitAny: see Cluster.query
  const query = async <R = Record<string, any>>(sql: string, params: unknown[] = [], { db = "postgres" } = {}) => {
    const client = new pg.Client({ host, port, user: superuser, password, database: db });
    client.on("error", () => {}); // a server that dies under an idle client must not crash the test process
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as R[];
    } finally {
      await client.end().catch(() => {});
    }
  };

  return {
    version,
    major,
    host,
    port,
    superuser,
    password,
    dataDir,
    dir,
    binDir,
    logFile,
    get pid() {
      return files.pid;
    },
    url,
    query,
    createDatabase: async (dbName) => {
      await query(`CREATE DATABASE ${pg.escapeIdentifier(dbName)}`);
      return url(dbName);
    },
    stop: () => stopCluster(files),
    kill: () => killCluster(files),
  };
}

async function killCluster(cluster: ClusterFiles): Promise<void> {
  if (!cluster.pid || !alive(cluster.pid)) return;
  // The backends would notice their postmaster's death only at their next wait; take them down with it,
  // so "the database went away" happens at one instant.
  const family = [cluster.pid, ...childrenOf(cluster.pid)];
  for (const pid of family) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const deadline = Date.now() + 10_000; family.some(alive) && Date.now() < deadline; )
    await new Promise((r) => setTimeout(r, 20));
}

async function stopCluster(cluster: ClusterFiles): Promise<void> {
  if (!live.has(cluster)) return;
  live.delete(cluster);
  try {
    if (cluster.pid && alive(cluster.pid)) {
      await runServerProgram(
        join(cluster.binDir, "pg_ctl"),
        ["stop", "-w", "-t", "30", "-m", "fast", "-D", cluster.dataDir],
        { account: serverAccount(), cwd: cluster.dir },
      ).catch(() => killCluster(cluster));
    }
  } finally {
    rmSync(cluster.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

/** Stops every cluster this process started. */
export async function stopAllClusters(): Promise<void> {
  await Promise.all([...live].map(stopCluster));
}

// Last resort, so no postmaster outlives the process that started it: at exit (synchronous work only)
// an immediate shutdown, then the directory goes.
function stopAllNow(): void {
  for (const c of live) {
    try {
      if (c.pid && alive(c.pid))
        runServerProgramSync(join(c.binDir, "pg_ctl"), ["stop", "-w", "-t", "10", "-m", "immediate", "-D", c.dataDir], {
          cwd: c.dir,
        });
    } catch {
      try {
        process.kill(c.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    rmSync(c.dir, { recursive: true, force: true });
  }
  live.clear();
}
process.on("exit", stopAllNow);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, function onSignal() {
    stopAllNow();
    // Alone, we replace the default action (exit): restore it. Others (runBench) decide themselves.
    if (process.listenerCount(sig) === 1) {
      process.off(sig, onSignal);
      process.kill(process.pid, sig);
    }
  });
}
