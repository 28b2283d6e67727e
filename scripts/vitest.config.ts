import { defineConfig } from "vitest/config";

// The quick start (`npm run demo -- --once`), run as a newcomer runs it: every real part on loopback, the
// whole flow, the files it promises. One file, one long test.
export default defineConfig({
  test: {
    name: "quickstart",
    environment: "node",
    root: import.meta.dirname,
    include: ["*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
