// Runs the bench Worker locally, as `wrangler dev --local` does, through wrangler's own dev server API
// (unstable_startWorker, wrangler 4.86.0), with two differences the CLI cannot express and a benchmark needs:
//  - no inspector: with it, wrangler subscribes to the runtime's devtools Network events, and workerd then
//    copies every subrequest (each D1 call) with its response body to the inspector proxy, work that a
//    deployed Worker never does;
//  - no file watching: the bundle is built once at start, so an edit elsewhere in the repository cannot
//    rebuild and restart the Worker in the middle of a measurement.
// Spawned by local-worker.mjs: node dev-server.mjs <config> <persist dir> <env file> <port> [<vars JSON>]. The
// optional JSON object overrides Worker vars (plain text, e.g. {"LEASE_SECONDS":"5"}); it is on the command
// line, so never a secret: secrets come from the env file. Prints
// "READY <url>" when it serves, and stops on SIGTERM or SIGINT. Worker console output goes to stdout.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { unstable_readConfig, unstable_startWorker } from "wrangler";

const [config, persist, envFile, port, varsJson = "{}"] = process.argv.slice(2);
const usage = "usage: node dev-server.mjs <wrangler config> <persist dir> <env file> <port> [<vars JSON object of strings>]";
let vars;
try {
  vars = JSON.parse(varsJson);
} catch {
  vars = undefined;
}
const varsOk = vars !== null && typeof vars === "object" && !Array.isArray(vars) && Object.values(vars).every((v) => typeof v === "string");
if (!config || !persist || !envFile || !/^\d+$/.test(port ?? "") || !varsOk) {
  console.error(usage);
  process.exit(2);
}

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
    process.exit(0);
  }
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
