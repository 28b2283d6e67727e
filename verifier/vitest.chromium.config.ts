import { defineConfig } from "vitest/config";

// The verifier bundled for the browser and run in Debian's Chromium (see test/browser.test.ts).
export default defineConfig({
  test: {
    name: "verifier:chromium",
    include: ["test/browser.test.ts"],
    testTimeout: 120_000,
  },
});
