import { defineConfig } from "vitest/config";

// The dashboard's tests: unit tests of its pure parts in Node (src/**/*.test.ts), and Playwright
// (playwright-core driving Debian's Chromium) against the real dashboard served by the real Worker under
// wrangler's dev server (test/**/*.test.ts). One file at a time: the machine has two cores, and each file
// starts its own servers. The global setup builds web/dist first, so the tests always drive the current code.
export default defineConfig({
  test: {
    name: "web",
    environment: "node",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/support/build-once.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
