import type { Env } from "../src/env.js";

declare global {
  namespace Cloudflare {
    interface Env extends import("../src/env.js").Env {
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    }
  }
}
export type { Env };
