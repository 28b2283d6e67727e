import { defineConfig } from "vitest/config";

// Tests of the repository as a newcomer meets it: the quick start (`npm run demo -- --once`) run whole
// with every real part on loopback, and docs/capabilities.md checked against the tests it names.
export default defineConfig({
  test: {
    name: "repo",
    environment: "node",
    root: import.meta.dirname,
    include: ["*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
