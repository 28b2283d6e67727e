// The repository's pinned wrangler, run as a command (the local D1 commands), in its own process group.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { tail } from "../proc.js";
import { ROOT } from "../root.js";
import { trackCommand } from "./cleanup.js";
import { groupGone } from "./processes.js";

/** The repository's wrangler config (the Worker and its dashboard): what startDev and the D1 commands use unless told otherwise. */
export const ROOT_CONFIG = join(ROOT, "wrangler.toml");
/** wrangler's CLI script, run with node directly (what `npx wrangler` resolves to, minus npx). */
const WRANGLER = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");
/** The environment of every wrangler process: no internet here, so no telemetry and no fetch of the cf object (docs/architecture.md). */
export const WRANGLER_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
};

/**
 * Runs a wrangler command to completion, in its own process group, and waits until everything it started
 * (the local commands run workerd) has exited too: a workerd still closing its SQLite files would race with
 * what comes next. Rejects with the output's tail if it fails; resolves with its stdout.
 */
export async function wrangler(args: string[], { timeoutMs = 300_000 }: { timeoutMs?: number } = {}): Promise<string> {
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: WRANGLER_ENV,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pgid = child.pid!;
  const untrack = trackCommand(pgid);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const timer = setTimeout(() => {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // gone
    }
  }, timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done, fail) => {
    child.on("error", fail);
    child.on("close", (c, s) => done([c, s]));
  });
  clearTimeout(timer);
  await groupGone(pgid);
  untrack();
  if (code !== 0)
    throw new Error(
      `wrangler ${args.slice(0, 3).join(" ")} failed (${code ?? signal}):\n${tail(stdout, 15)}\n${tail(stderr, 15)}`,
    );
  return stdout;
}

/** Applies migrations/ to the local D1 in `persist` of the repository's config (or of `config`). */
export async function applyMigrations(persist: string, { config = ROOT_CONFIG }: { config?: string } = {}) {
  await wrangler(["d1", "migrations", "apply", "walwarden", "--local", "--persist-to", persist, "-c", config]);
}

/**
 * Runs SQL on the local D1 in `persist`: a `file` (resolves with wrangler's output), or a `command` (run
 * with --json: resolves with the result rows of its last statement).
 */
export async function d1Execute(
  persist: string,
  { file, command, config = ROOT_CONFIG }: { file?: string; command?: string; config?: string },
  // biome-ignore lint/suspicious/noExplicitAny: D1's rows are whatever the SQL selected
): Promise<any> {
  const args = ["d1", "execute", "walwarden", "--local", "--persist-to", persist, "-c", config];
  if (file) args.push("--file", file);
  else if (command) args.push("--json", "--command", command);
  else throw new Error("d1Execute needs a file or a command");
  const out = await wrangler(args);
  if (file) return out;
  const parsed = JSON.parse(out) as { results: unknown[] }[];
  return parsed.at(-1)?.results;
}
