import { defineConfig } from "vitest/config";

// The PostgreSQL helpers' tests run in Node against the installed PostgreSQL clients and a real
// throwaway cluster (@walwarden/testing/postgres). One file at a time: each starts its own cluster.
export default defineConfig({
  test: {
    name: "postgres",
    environment: "node",
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
