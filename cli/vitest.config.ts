import { defineConfig } from "vitest/config";

// The CLI's tests run in Node against real parts started on loopback (@walwarden/testing: PostgreSQL clusters,
// s3rver and a fault proxy, the Worker under wrangler's dev server). One file at a time: the machine has
// two cores, and each file starts its own servers.
export default defineConfig({
  test: {
    name: "cli",
    environment: "node",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
