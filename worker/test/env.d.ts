import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../src/env.js";

// The test runtime's `env` is the Worker's Env plus the migrations and the fuzz test's knobs vitest.config.ts passes in.
declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      FUZZ_RUNS: string;
      FUZZ_SEED: string;
    }
  }
}
