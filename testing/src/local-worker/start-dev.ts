// A Worker running locally the way `wrangler dev --local` runs it (dev-server.ts says why not the CLI
// itself), in its own process group, with what the benches read of it: its output, its workerd processes
// and their CPU time. Linux only (it reads /proc).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PublishedKeys } from "@walwarden/verifier/wire";
import { freePort, tail } from "../proc.js";
import { ROOT, TESTING_DIR } from "../root.js";
import { trackWorker } from "./cleanup.js";
import { cmdlineOf, cpuMsOf, descendantsOf, groupGone, opensUnder } from "./processes.js";
import { ROOT_CONFIG, WRANGLER_ENV } from "./wrangler.js";

/** The dev server script, always the built one: node runs it as a program (npm run build -w testing). */
const DEV_SERVER = join(TESTING_DIR, "dist/local-worker/dev-server.js");

/** A workerd process wrangler started: the runtime (the Worker, D1, Durable Objects: it has the persistence directory open) or its proxy. */
export interface Workerd {
  pid: number;
  role: "runtime" | "proxy";
}

/** A Worker running under wrangler's dev server (startDev). */
export interface LocalWorker {
  /** http://127.0.0.1:<port> */
  url: string;
  /** wrangler's dev server process (the leader of its process group). */
  pid: number;
  /** Everything it printed so far: Worker console output goes to stdout. */
  stdout: string;
  stderr: string;
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** The dev server's process. */
  child: ChildProcess;
  /** The published keys, read when it started. */
  keys: PublishedKeys;
  /** Resolves with what `test(stdout)` returns once truthy (checked on every new output); rejects on timeout or exit. */
  waitFor<T>(test: (stdout: string) => T | undefined | null | false | "", timeoutMs: number, what: string): Promise<T>;
  /** Throws if wrangler reloaded the Worker since it started (it should not: no file watching), which voids a bench's figures. */
  assertNoReload(): void;
  /** The workerd processes wrangler started. */
  workerds(): Workerd[];
  /** CPU ms of every workerd process, by pid, and their sum. */
  cpu(): { total: number; byPid: Record<string, { role: Workerd["role"]; ms: number }> };
  /** Ends the dev server and its process group (TERM, then KILL after 5 s), and any descendant that left the group. */
  stop(): Promise<void>;
}

/** How startDev starts a Worker. */
export interface StartDevOptions {
  /** The persistence directory (local D1, Durable Objects). */
  persist: string;
  /** The env file with the Worker's secrets (writeKeysEnvFile). */
  envFile: string;
  /** The wrangler config: the repository's wrangler.toml unless told otherwise (the benches run their own). */
  config?: string;
  /** Overrides Worker vars, e.g. { LEASE_SECONDS: "5" } (plain text, never secrets: those go in `envFile`). */
  vars?: Record<string, string>;
  /** Serve on this loopback port (the demo's stable URL) instead of a free one. */
  port?: number;
  /** Without the config's static assets (the dashboard), so that triggerCron can run a tick at a chosen time. */
  apiOnly?: boolean;
  startTimeoutMs?: number;
}

/** An error that carries the tails of wrangler's output, so a failure says what the Worker printed. */
export function localWorkerError(dev: Pick<LocalWorker, "stdout" | "stderr">, message: string): Error {
  return new Error(
    `${message}\n--- wrangler stderr (tail) ---\n${tail(dev.stderr)}\n--- wrangler stdout (tail) ---\n${tail(dev.stdout)}`,
  );
}

/**
 * Starts a Worker locally (dev-server.ts: wrangler's dev server, as `wrangler dev --local`, without
 * inspector or file watching) and waits until GET /.well-known/walwarden/keys answers 200. Its own process
 * group, so stop() ends it and everything it started (workerd, esbuild), and nothing else.
 */
export async function startDev(options: StartDevOptions): Promise<LocalWorker> {
  // workerd binds the ports after freePort found them free: another process can take one meanwhile. Then
  // workerd dies and wrangler never serves, so a start on a port of our choosing is tried again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevOnce(options);
    } catch (e) {
      if (!(e instanceof PortTakenError) || options.port !== undefined || attempt >= 3) throw e;
    }
  }
}

/** A start that failed because a port workerd was to bind was taken. */
class PortTakenError extends Error {}

/** One attempt of startDev. */
async function startDevOnce({
  persist,
  envFile,
  config = ROOT_CONFIG,
  vars = {},
  port: fixedPort,
  apiOnly = false,
  startTimeoutMs = 120_000,
}: StartDevOptions): Promise<LocalWorker> {
  if (!existsSync(DEV_SERVER)) throw new Error(`${DEV_SERVER} is missing: run \`npm run build -w testing\``);
  const port = fixedPort ?? (await freePort());
  const args = [
    DEV_SERVER,
    config,
    persist,
    envFile,
    String(port),
    JSON.stringify(vars),
    ...(apiOnly ? ["api-only"] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: WRANGLER_ENV,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid!;
  const listeners = new Set<() => void>();
  let stopped: Promise<void> | undefined;
  const exited = new Promise<void>((done) =>
    child.on("exit", (code, signal) => {
      dev.exited = { code, signal };
      done();
    }),
  );

  const dev: LocalWorker = {
    url: `http://127.0.0.1:${port}`,
    pid,
    stdout: "",
    stderr: "",
    exited: null,
    child,
    keys: { origin: "", checkpoint: [], manifest: [] },

    waitFor: (test, timeoutMs, what) =>
      new Promise((done, fail) => {
        const check = () => {
          const hit = test(dev.stdout);
          if (hit) finish(() => done(hit));
          else if (dev.exited)
            finish(() =>
              fail(
                localWorkerError(
                  dev,
                  `the local Worker exited (${JSON.stringify(dev.exited)}) while waiting for ${what}`,
                ),
              ),
            );
        };
        const timer = setTimeout(
          () => finish(() => fail(localWorkerError(dev, `timed out after ${timeoutMs} ms waiting for ${what}`))),
          timeoutMs,
        );
        const finish = (f: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        exited.then(check);
        check();
      }),

    assertNoReload: () => {
      if (dev.stdout.includes("Reloading local server")) {
        throw localWorkerError(
          dev,
          "wrangler rebuilt and reloaded the Worker during the bench: the figures are void, run it again",
        );
      }
    },

    workerds: () =>
      descendantsOf(pid)
        .filter((p) => /(^|\/)workerd /.test(cmdlineOf(p)))
        .map((p) => ({ pid: p, role: opensUnder(p, persist) ? "runtime" : "proxy" })),

    cpu: () => {
      const byPid: Record<string, { role: Workerd["role"]; ms: number }> = {};
      let total = 0;
      for (const { pid: p, role } of dev.workerds()) {
        const ms = cpuMsOf(p);
        if (ms === undefined) continue;
        byPid[p] = { role, ms };
        total += ms;
      }
      return { total, byPid };
    },

    stop: () =>
      (stopped ??= (async () => {
        // Remember wrangler's descendants (and their command lines, so a reused pid is never signalled).
        const family = descendantsOf(pid).map((p) => ({ pid: p, cmdline: cmdlineOf(p) }));
        const signalAll = (sig: NodeJS.Signals) => {
          try {
            process.kill(-pid, sig);
          } catch {
            // the group is gone
          }
          for (const member of family) {
            if (cmdlineOf(member.pid) !== member.cmdline) continue;
            try {
              process.kill(member.pid, sig);
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
        await groupGone(pid);
        untrack();
      })()),
  };

  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    dev.stdout += s;
    for (const l of listeners) l();
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    dev.stderr += s;
    for (const l of listeners) l();
  });
  const untrack = trackWorker(dev);

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (dev.exited)
      throw localWorkerError(
        dev,
        `the local Worker (wrangler's dev server) exited during start (${JSON.stringify(dev.exited)})`,
      );
    if (/Address already in use/.test(dev.stderr + dev.stdout)) {
      const e = localWorkerError(dev, "workerd could not bind a port: another process took it");
      await dev.stop();
      throw new PortTakenError(e.message);
    }
    if (Date.now() > deadline)
      throw localWorkerError(
        dev,
        `the local Worker (wrangler's dev server) did not answer GET /.well-known/walwarden/keys with 200 within ${startTimeoutMs} ms`,
      );
    try {
      const res = await fetch(`${dev.url}/.well-known/walwarden/keys`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) {
        dev.keys = (await res.json()) as PublishedKeys;
        break;
      }
      const body = await res.text();
      // The Worker answered, with an error (bad signing keys, say): waiting longer will not help.
      if (res.status === 500)
        throw localWorkerError(dev, `GET /.well-known/walwarden/keys → 500: ${body.slice(0, 500)}`);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith("GET /.well-known")) throw e;
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const workerds = dev.workerds();
  if (!workerds.some((w) => w.role === "runtime"))
    throw localWorkerError(
      dev,
      `found no workerd process with ${persist} open among wrangler's descendants (${JSON.stringify(workerds)})`,
    );
  return dev;
}
