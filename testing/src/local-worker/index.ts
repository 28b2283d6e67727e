// A local Walwarden Worker under wrangler's dev server, wrangler's local D1 commands, and cleanup of
// everything they started: what the tests, the benches and the demo run the real Worker with.
export { ROOT } from "../root.js";
export { CPU_TICK_MS, freePort, tail } from "../proc.js";
export { cleanup, removeAtCleanup, tempDir, trackWorker } from "./cleanup.js";
export { writeKeysEnvFile } from "./keys-env.js";
export { cpuMsOf, descendantsOf } from "./processes.js";
export {
  localWorkerError,
  startDev,
  type LocalWorker,
  type StartDevOptions,
  type Workerd,
} from "./start-dev.js";
export { ROOT_CONFIG, applyMigrations, d1Execute, wrangler } from "./wrangler.js";
