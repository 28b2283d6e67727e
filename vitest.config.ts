import { defineConfig } from "vitest/config";

// One vitest run covers every package, and the shared test harness (testing/) proves its own parts. The verifier's tests run in Node and again in workerd, and a
// bundle of it runs in Chromium: that is how we prove the format authority is isomorphic. The runner's
// tests run in Node against real PostgreSQL, S3 and Worker processes (runner/vitest.config.ts); the quick start
// (npm run demo -- --once) runs whole as a newcomer runs it, and docs/capabilities.md is checked against the tests it
// names (scripts/vitest.config.ts).
export default defineConfig({
  test: {
    projects: [
      "verifier/vitest.node.config.ts",
      "verifier/vitest.workerd.config.ts",
      "verifier/vitest.chromium.config.ts",
      "postgres/vitest.config.ts",
      "testing/vitest.config.ts",
      "worker/vitest.config.ts",
      "worker/vitest.e2e.config.ts",
      "runner/vitest.config.ts",
      "cli/vitest.config.ts",
      "web/vitest.config.ts",
      "scripts/vitest.config.ts",
    ],
  },
});
