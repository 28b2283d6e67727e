import { defineConfig } from "vitest/config";

// The Worker end to end in Node: the real Worker under wrangler's dev server (local D1, Durable Objects and
// Queues) and real HTTP receivers on loopback, for what leaves the Worker (alert deliveries). One file at a
// time: each starts its own Worker.
export default defineConfig({
  test: {
    name: "worker:e2e",
    environment: "node",
    include: ["e2e/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
