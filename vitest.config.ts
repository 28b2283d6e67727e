import { defineConfig } from "vitest/config";

// One vitest run covers every package. The verifier's tests run twice, in Node and in workerd,
// which is how we prove the format authority is isomorphic.
export default defineConfig({
  test: {
    projects: ["verifier/vitest.node.config.ts", "verifier/vitest.workerd.config.ts"],
  },
});
