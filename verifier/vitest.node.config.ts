import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "verifier:node",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["test/browser.test.ts"],
    testTimeout: 60_000,
  },
});
