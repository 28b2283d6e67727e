import { defineConfig } from "vitest/config";

// The harness's own tests: each part it starts (PostgreSQL clusters, s3rver behind the fault proxy, the
// Worker under wrangler's dev server) proven against real clients. One file at a time: the machine has two
// cores, and each file starts its own servers. The Worker's dev server runs from dist (npm run build).
export default defineConfig({
  test: {
    name: "testing",
    environment: "node",
    include: ["src/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
