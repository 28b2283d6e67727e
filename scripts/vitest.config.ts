import { defineConfig } from "vitest/config";

// Tests of the repository as a newcomer meets it: the quick start (`npm run demo -- --once`) run whole
// with every real part on loopback, docs/capabilities.md checked against the tests it names, and no import
// cycle among the workspaces' files or packages.
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
