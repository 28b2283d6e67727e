// Runs the bench Worker locally, as `wrangler dev --local` does, through wrangler's own dev server API
// (unstable_startWorker, wrangler 4.86.0), with two differences the CLI cannot express and a benchmark needs:
//  - no inspector: with it, wrangler subscribes to the runtime's devtools Network events, and workerd then
//    copies every subrequest (each D1 call) with its response body to the inspector proxy, work that a
//    deployed Worker never does;
//  - no file watching: the bundle is built once at start, so an edit elsewhere in the repository cannot
//    rebuild and restart the Worker in the middle of a measurement.
// Spawned by local-worker.mjs: node dev-server.mjs <config> <persist dir> <env file> <port> [<vars JSON>]. The
// optional JSON object overrides Worker vars (plain text, e.g. {"LEASE_SECONDS":"5"}); it is on the command
// line, so never a secret: secrets come from the env file. A last argument `api-only` serves the Worker
// without the config's static assets (the dashboard): with assets, wrangler puts its asset router in front
// of the Worker, and the router has no scheduled handler, so `/cdn-cgi/handler/scheduled?time=…` (a cron
// tick at a chosen time, which the lease and catch-up tests need) fails; `/__scheduled` (a tick now) works
// either way. Prints
// "READY <url>" when it serves, and stops on SIGTERM or SIGINT. Worker console output goes to stdout.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { unstable_readConfig, unstable_startWorker } from "wrangler";

const [givenConfig, persist, envFile, port, varsJson = "{}", mode = ""] = process.argv.slice(2);
const usage =
  "usage: node dev-server.mjs <wrangler config> <persist dir> <env file> <port> [<vars JSON object of strings> [api-only]]";
let vars;
try {
  vars = JSON.parse(varsJson);
} catch {
  vars = undefined;
}
const varsOk =
  vars !== null &&
  typeof vars === "object" &&
  !Array.isArray(vars) &&
  Object.values(vars).every((v) => typeof v === "string");
if (!givenConfig || !persist || !envFile || !/^\d+$/.test(port ?? "") || !varsOk || !["", "api-only"].includes(mode)) {
  console.error(usage);
  process.exit(2);
}

/**
 * The config without its [assets] table, written into `persist` (a directory of this run), with `main` and
 * `migrations_dir` made absolute since the copy lives elsewhere. Removed when the server stops.
 */
function apiOnlyConfig(path) {
  const base = dirname(resolve(path));
  const lines = readFileSync(path, "utf8").split("\n");
  const out = [];
  let inAssets = false;
  for (const line of lines) {
    if (/^\s*\[/.test(line)) inAssets = /^\s*\[assets\]\s*$/.test(line);
    if (inAssets) continue;
    out.push(
      line.replace(
        /^(main|migrations_dir)\s*=\s*"([^"]+)"/,
        (_m, key, value) => `${key} = ${JSON.stringify(resolve(base, value))}`,
      ),
    );
  }
  const copy = join(resolve(persist), "wrangler.api-only.toml");
  mkdirSync(dirname(copy), { recursive: true });
  writeFileSync(copy, out.join("\n"));
  return copy;
}
const config = mode === "api-only" ? apiOnlyConfig(givenConfig) : givenConfig;

// wrangler refuses to start without the config's assets directory (the root config serves web/dist, the
// dashboard); an API-only test or bench needs none of it, so a checkout that has not built it yet gets an empty one.
const assets = unstable_readConfig({ config }).assets?.directory;
if (assets) mkdirSync(resolve(dirname(config), assets), { recursive: true });

const worker = await unstable_startWorker({
  config,
  envFiles: [envFile],
  // Input bindings win over the config's [vars] and the env file (wrangler's getBindings).
  bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: "plain_text", value }])),
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
