// Shared by bench/cron-tick.mjs and bench/ledger-append.mjs: runs the bench Worker (bench/wrangler.bench.toml:
// the real Worker plus /__bench/* routes) locally the way `wrangler dev --local` does (dev-server.mjs says
// why not the CLI itself) on a throwaway persistence directory, runs wrangler's d1 commands on that
// directory, and reads the CPU time of the workerd processes from /proc. Linux only (it reads /proc).
import { randomBytes } from "node:crypto";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { formatSignerKey, generateKeyPair } from "@walwarden/verifier";
import { freePort, liveProcesses, procStat } from "./proc.mjs";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BENCH_CONFIG = resolve(import.meta.dirname, "../wrangler.bench.toml");
// The repository's pinned wrangler, run with node directly (what `npx wrangler` resolves to, minus npx).
const WRANGLER = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");
// No internet here: no telemetry, no fetch of the cf object (docs/architecture.md).
const ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
};
export { CPU_TICK_MS, freePort } from "./proc.mjs";

/** Last `n` lines of a text, for error messages. */
export function tail(text, n = 30) {
  return text.split("\n").slice(-n).join("\n");
}

/**
 * What is being measured: the commit, and any uncommitted change to the code in the bundle (the bench
 * measures the working tree, and the verifier as last built into verifier/dist).
 */
export function describeSource() {
  try {
    const git = (...args) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = git(
      "status",
      "--porcelain",
      "--",
      "worker/src",
      "verifier/src",
      "bench/worker",
      "bench/wrangler.bench.toml",
    );
    const head = git("rev-parse", "--short", "HEAD");
    const what = dirty
      ? `commit ${head} with uncommitted changes:\n${dirty}`
      : `commit ${head} (worker/src, verifier/src and bench/worker as committed)`;
    return (
      what +
      (verifierDistIsStale()
        ? "\nWARNING: verifier/src is newer than verifier/dist, which the Worker bundles: run `npm run build` first"
        : "")
    );
  } catch {
    return "not a git checkout";
  }
}

function verifierDistIsStale() {
  const built = statSync(join(ROOT, "verifier/dist/index.js"), { throwIfNoEntry: false });
  if (!built) return true;
  const newest = (dir) => {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) t = Math.max(t, newest(p));
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) t = Math.max(t, statSync(p).mtimeMs);
    }
    return t;
  };
  return newest(join(ROOT, "verifier/src")) > built.mtimeMs;
}

/** A throwaway directory, removed by cleanup(). */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes an env file with fresh throwaway signing keys (the dev server loads it: the keys never go on a command line). */
export function writeKeysEnvFile(dir) {
  const path = join(dir, "bench.env");
  const key = (name) => formatSignerKey({ name, secretKey: generateKeyPair().secretKey });
  writeFileSync(
    path,
    `CHECKPOINT_SIGNER_KEY=${key("bench.walwarden.local/checkpoint")}\nMANIFEST_SIGNER_KEY=${key("bench.walwarden.local/manifest")}\nBUCKET_CREDENTIALS_KEY=${randomBytes(32).toString("base64")}\n`,
    { mode: 0o600 },
  );
  return path;
}

/** Live (not zombie) processes in process group `pgid`, from /proc. */
function groupMembers(pgid) {
  return liveProcesses()
    .filter((p) => p.pgrp === pgid)
    .map((p) => p.pid);
}

/** Waits until process group `pgid` (one we started) has no live member; KILLs what is left after `timeoutMs`. */
async function groupGone(pgid, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (groupMembers(pgid).length > 0) {
    if (Date.now() > deadline) {
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
      await new Promise((r) => setTimeout(r, 200));
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs a wrangler command to completion, in its own process group, and waits until everything it started
 * (the local commands run workerd) has exited too: a workerd still closing its SQLite files would race with
 * what comes next. Rejects with the output's tail if it fails.
 */
export async function wrangler(args, { timeoutMs = 300_000 } = {}) {
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: ENV,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  commands.add(child.pid);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // gone
    }
  }, timeoutMs);
  const [code, signal] = await new Promise((done, fail) => {
    child.on("error", fail);
    child.on("close", (c, s) => done([c, s]));
  });
  clearTimeout(timer);
  await groupGone(child.pid);
  commands.delete(child.pid);
  if (code !== 0)
    throw new Error(
      `wrangler ${args.slice(0, 3).join(" ")} failed (${code ?? signal}):\n${tail(stdout, 15)}\n${tail(stderr, 15)}`,
    );
  return stdout;
}

/** Applies migrations/ to the local D1 in `persist` of the bench config (or of `config`). */
export async function applyMigrations(persist, { config = BENCH_CONFIG } = {}) {
  await wrangler(["d1", "migrations", "apply", "walwarden", "--local", "--persist-to", persist, "-c", config]);
}

/** Runs SQL (a file or a command) on the local D1 in `persist`; with --json, returns the result rows of the last statement. */
export async function d1Execute(persist, { file, command, config = BENCH_CONFIG }) {
  const args = ["d1", "execute", "walwarden", "--local", "--persist-to", persist, "-c", config];
  if (file) args.push("--file", file);
  else args.push("--json", "--command", command);
  const out = await wrangler(args);
  if (file) return out;
  const parsed = JSON.parse(out);
  return parsed.at(-1).results;
}

/** Live descendants of `root` (children, grandchildren, ...), from /proc. */
export function descendantsOf(root) {
  const parent = new Map(liveProcesses().map((p) => [p.pid, p.ppid]));
  const out = [];
  for (const pid of parent.keys()) {
    for (let p = parent.get(pid), hops = 0; p !== undefined && p > 1 && hops < 64; p = parent.get(p), hops++) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

function cmdlineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** CPU time (user + system, all threads, including exited ones) of a process, in ms; undefined if it is gone. */
export function cpuMsOf(pid) {
  return procStat(pid)?.cpuMs;
}

function opensUnder(pid, dir) {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(dir);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * Starts a Worker locally (dev-server.mjs: wrangler's dev server, as `wrangler dev --local`, without
 * inspector or file watching) and waits until GET /.well-known/walwarden/keys answers 200. `config` is the
 * bench Worker unless told otherwise (the runner's tests run the repository's wrangler.toml); `vars`
 * overrides Worker vars, e.g. { LEASE_SECONDS: "5" } (plain text, never secrets: those go in `envFile`).
 * Its own process group, so stop() ends it and everything it started (workerd, esbuild), and nothing else.
 * `port`: serve on this loopback port (the demo's stable URL) instead of a free one. `apiOnly`: without the
 * config's static assets (the dashboard), so that triggerCron can run a tick at a chosen time.
 */
export async function startDev({
  persist,
  envFile,
  config = BENCH_CONFIG,
  vars = {},
  port: fixedPort,
  apiOnly = false,
  startTimeoutMs = 120_000,
}) {
  const port = fixedPort ?? (await freePort());
  const args = [
    join(import.meta.dirname, "dev-server.mjs"),
    config,
    persist,
    envFile,
    String(port),
    JSON.stringify(vars),
    ...(apiOnly ? ["api-only"] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: ENV,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const dev = { url: `http://127.0.0.1:${port}`, pid: child.pid, stdout: "", stderr: "", exited: null, child };
  const listeners = new Set();
  child.stdout.setEncoding("utf8").on("data", (s) => {
    dev.stdout += s;
    for (const l of listeners) l();
  });
  child.stderr.setEncoding("utf8").on("data", (s) => {
    dev.stderr += s;
    for (const l of listeners) l();
  });
  const exited = new Promise((done) => child.on("exit", (code, signal) => done((dev.exited = { code, signal }))));
  live.add(dev);

  /** Resolves when `test(stdout)` returns something truthy (checked on every new output); rejects on timeout or exit. */
  dev.waitFor = (test, timeoutMs, what) =>
    new Promise((done, fail) => {
      const check = () => {
        const hit = test(dev.stdout);
        if (hit) finish(() => done(hit));
        else if (dev.exited)
          finish(() =>
            fail(devError(dev, `the local Worker exited (${JSON.stringify(dev.exited)}) while waiting for ${what}`)),
          );
      };
      const timer = setTimeout(
        () => finish(() => fail(devError(dev, `timed out after ${timeoutMs} ms waiting for ${what}`))),
        timeoutMs,
      );
      const finish = (f) => {
        clearTimeout(timer);
        listeners.delete(check);
        f();
      };
      listeners.add(check);
      exited.then(check);
      check();
    });

  /** Throws if wrangler reloaded the Worker since it started (it should not: no file watching), which voids the figures. */
  dev.assertNoReload = () => {
    if (dev.stdout.includes("Reloading local server")) {
      throw devError(
        dev,
        "wrangler rebuilt and reloaded the Worker during the bench: the figures are void, run it again",
      );
    }
  };

  /** The workerd processes wrangler started: the runtime (the Worker, D1, Durable Objects: it has `persist` open) and its proxy. */
  dev.workerds = () =>
    descendantsOf(dev.pid)
      .filter((pid) => /(^|\/)workerd /.test(cmdlineOf(pid)))
      .map((pid) => ({ pid, role: opensUnder(pid, persist) ? "runtime" : "proxy" }));

  /** CPU ms of every workerd process, by pid, and their sum. */
  dev.cpu = () => {
    const byPid = {};
    let total = 0;
    for (const { pid, role } of dev.workerds()) {
      const ms = cpuMsOf(pid);
      if (ms === undefined) continue;
      byPid[pid] = { role, ms };
      total += ms;
    }
    return { total, byPid };
  };

  /** Ends the dev server and its process group (TERM, then KILL after 5 s), and any descendant that left the group. */
  dev.stop = async () => {
    if (dev.stopped) return dev.stopped;
    dev.stopped = (async () => {
      // Remember wrangler's descendants (and their command lines, so a reused pid is never signalled).
      const family = descendantsOf(dev.pid).map((pid) => ({ pid, cmdline: cmdlineOf(pid) }));
      const signalAll = (sig) => {
        try {
          process.kill(-dev.pid, sig);
        } catch {
          // the group is gone
        }
        for (const { pid, cmdline } of family) {
          if (cmdlineOf(pid) !== cmdline) continue;
          try {
            process.kill(pid, sig);
          } catch {
            // already gone
          }
        }
      };
      if (!dev.exited) signalAll("SIGTERM");
      const timeout = new Promise((r) => setTimeout(() => r("timeout"), 5_000).unref());
      await Promise.race([exited, timeout]);
      // Whatever is left (wrangler if it ignored TERM, workerd if it outlived wrangler) gets KILL.
      signalAll("SIGKILL");
      await exited;
      await groupGone(dev.pid);
      live.delete(dev);
    })();
    return dev.stopped;
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (dev.exited)
      throw devError(
        dev,
        `the local Worker (wrangler's dev server) exited during start (${JSON.stringify(dev.exited)})`,
      );
    if (Date.now() > deadline)
      throw devError(
        dev,
        `the local Worker (wrangler's dev server) did not answer GET /.well-known/walwarden/keys with 200 within ${startTimeoutMs} ms`,
      );
    try {
      const res = await fetch(`${dev.url}/.well-known/walwarden/keys`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) {
        dev.keys = await res.json();
        break;
      }
      const body = await res.text();
      // The Worker answered, with an error (bad signing keys, say): waiting longer will not help.
      if (res.status === 500) throw devError(dev, `GET /.well-known/walwarden/keys → 500: ${body.slice(0, 500)}`);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith("GET /.well-known")) throw e;
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const workerds = dev.workerds();
  if (!workerds.some((w) => w.role === "runtime"))
    throw devError(
      dev,
      `found no workerd process with ${persist} open among wrangler's descendants (${JSON.stringify(workerds)})`,
    );

  return dev;
}

function devError(dev, message) {
  return new Error(
    `${message}\n--- wrangler stderr (tail) ---\n${tail(dev.stderr)}\n--- wrangler stdout (tail) ---\n${tail(dev.stdout)}`,
  );
}

const live = new Set();
const commands = new Set(); // process groups of wrangler commands still running
const dirs = new Set();

/** Registers a directory to remove at cleanup. */
export function removeAtCleanup(dir) {
  dirs.add(dir);
  return dir;
}

/** Stops every local Worker and wrangler command this process started and removes the registered directories. */
export async function cleanup() {
  for (const dev of [...live]) await dev.stop();
  for (const pgid of [...commands]) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
    await groupGone(pgid);
    commands.delete(pgid);
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  dirs.clear();
}

/** Runs `main`, always cleaning up (also on Ctrl-C or SIGTERM); exits non-zero on failure. */
export async function runBench(main) {
  let interrupted = false;
  const onSignal = (sig) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${sig}: stopping the local Worker and removing temporary files…`);
    cleanup().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await main();
  } catch (e) {
    if (!interrupted) {
      console.error(`\nbench failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    }
  } finally {
    if (!interrupted) await cleanup();
  }
}

/** POSTs or GETs a bench route and returns its JSON, throwing with the body on a non-2xx answer. */
export async function callJson(dev, method, path, timeoutMs = 600_000) {
  const res = await fetch(`${dev.url}${path}`, { method, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw devError(dev, `${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}
