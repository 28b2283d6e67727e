import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// The same tests inside workerd. Files that need Node (the CLI, the Node hash adapter) are excluded.
export default defineConfig({
  plugins: [
    cloudflareTest({
      miniflare: {
        compatibilityDate: "2026-04-01",
        compatibilityFlags: ["nodejs_compat"],
      },
    }),
  ],
  test: {
    name: "verifier:workerd",
    include: ["src/**/*.test.ts"],
    exclude: ["src/bin/**", "src/node/**"],
    testTimeout: 60_000,
  },
});
