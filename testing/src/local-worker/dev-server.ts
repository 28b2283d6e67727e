// Runs a Worker locally, as `wrangler dev --local` does, through wrangler's own dev server API
// (unstable_startWorker, wrangler 4.86.0), without two things the CLI cannot turn off and a benchmark
// needs off: the inspector (with it, workerd copies every subrequest, each D1 call, with its response body
// to the inspector proxy: work a deployed Worker never does) and file watching (an edit elsewhere in the
// repository would rebuild and restart the Worker mid-measurement).
// Spawned by startDev: node dev-server.js <config> <persist dir> <env file> <port> [<vars JSON> [api-only]].
// The JSON object overrides Worker vars (plain text: it is on the command line, never a secret; secrets
// come from the env file). `api-only` serves the Worker without the config's static assets (the
// dashboard): wrangler's asset router in front of the Worker has no scheduled handler, so
// `/cdn-cgi/handler/scheduled?time=…` (a tick at a chosen time) fails with it; `/__scheduled` (a tick now)
// works either way. Prints "READY <url>" when it serves; stops on SIGTERM or SIGINT.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { unstable_readConfig, unstable_startWorker } from "wrangler";

const [givenConfig, persist, envFile, port, varsJson = "{}", mode = ""] = process.argv.slice(2);
const usage =
  "usage: node dev-server.js <wrangler config> <persist dir> <env file> <port> [<vars JSON object of strings> [api-only]]";
let vars: unknown;
try {
  vars = JSON.parse(varsJson);
} catch {
  vars = undefined;
}
const isStringRecord = (v: unknown): v is Record<string, string> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
if (
  !givenConfig ||
  !persist ||
  !envFile ||
  !/^\d+$/.test(port ?? "") ||
  !isStringRecord(vars) ||
  !["", "api-only"].includes(mode)
) {
  console.error(usage);
  process.exit(2);
}
const plainVars = vars;

/**
 * The config without its [assets] table, written into `persist` (a directory of this run), with `main` and
 * `migrations_dir` made absolute since the copy lives elsewhere. Removed when the server stops.
 */
function apiOnlyConfig(path: string, dir: string): string {
  const base = dirname(resolve(path));
  const out: string[] = [];
  let inAssets = false;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (/^\s*\[/.test(line)) inAssets = /^\s*\[assets\]\s*$/.test(line);
    if (inAssets) continue;
    out.push(
      line.replace(
        /^(main|migrations_dir)\s*=\s*"([^"]+)"/,
        (_m, key: string, value: string) => `${key} = ${JSON.stringify(resolve(base, value))}`,
      ),
    );
  }
  const copy = join(resolve(dir), "wrangler.api-only.toml");
  mkdirSync(dirname(copy), { recursive: true });
  writeFileSync(copy, out.join("\n"));
  return copy;
}
const config = mode === "api-only" ? apiOnlyConfig(givenConfig, persist) : givenConfig;

// wrangler refuses to start without the config's assets directory (the root config serves web/dist, the
// dashboard); an API-only test or bench needs none of it, so a checkout that has not built it yet gets an empty one.
const assets = unstable_readConfig({ config }).assets?.directory;
if (assets) mkdirSync(resolve(dirname(config), assets), { recursive: true });

// `dev.watch: false` only stops wrangler watching its config: its bundler always runs esbuild in watch mode,
// so an edit anywhere in the Worker's imports rebuilt it mid-run, and an edit that did not build left
// wrangler's proxy paused, holding every request (a bench tick that never answered). With a custom build
// the bundler does not watch: it bundles once, when the custom build's own watcher (on an empty directory
// of this run, where nothing changes) is ready, and the command itself does nothing.
const noWatch = join(resolve(persist), "no-watch");
mkdirSync(noWatch, { recursive: true });

const worker = await unstable_startWorker({
  config,
  build: { custom: { command: "true", watch: noWatch } },
  envFiles: [envFile],
  // Input bindings win over the config's [vars] and the env file (wrangler's getBindings).
  bindings: Object.fromEntries(
    Object.entries(plainVars).map(([name, value]) => [name, { type: "plain_text" as const, value }]),
  ),
  dev: {
    remote: false,
    persist,
    server: { hostname: "127.0.0.1", port: Number(port) },
    inspector: false,
    // GET /__scheduled?cron=… runs the scheduled handler now, assets or not (the demo's local cron).
    testScheduled: true,
    watch: false,
    liveReload: false,
  },
});
await worker.ready;
const url = await worker.url;
console.log(`READY ${url.origin}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await worker.dispose();
  } finally {
    if (config !== givenConfig) rmSync(config, { force: true });
    process.exit(0);
  }
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
