import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { formatSignerKey } from "@walwarden/verifier";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";

// The Worker in real workerd, with the real D1 and Durable Objects from wrangler.toml. Storage is isolated
// per test file; test/apply-migrations.ts applies migrations/ before each file.
const seed = (byte: number) => new Uint8Array(32).fill(byte);
// wrangler.toml serves the dashboard from web/dist, and workerd refuses a missing assets directory. These
// tests need none of it (the root `npm test` builds it first); an empty directory lets them run unbuilt.
mkdirSync(resolve(import.meta.dirname, "../web/dist"), { recursive: true });
const migrations = await readD1Migrations(resolve(import.meta.dirname, "../migrations"));

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: resolve(import.meta.dirname, "../wrangler.toml") },
      miniflare: {
        // The Worker's own outbound fetches (alert deliveries by the queue consumer) never leave the machine:
        // every one is answered 503 here, so a test's channel to a public host is retried, not resolved by DNS.
        // The deliveries themselves are tested against real receivers in worker/e2e/.
        outboundService: () => new Response("no outbound network in the Worker's tests", { status: 503 }),
        bindings: {
          TEST_MIGRATIONS: migrations,
          CHECKPOINT_SIGNER_KEY: formatSignerKey({ name: "test.walwarden.dev/checkpoint", secretKey: seed(1) }),
          MANIFEST_SIGNER_KEY: formatSignerKey({ name: "test.walwarden.dev/manifest", secretKey: seed(2) }),
          LOG_ORIGIN: "test.walwarden.dev/log",
          BUCKET_CREDENTIALS_KEY: btoa(String.fromCharCode(...seed(3))),
          // Small enough to test the cap and see a heartbeat quickly, long enough that a slot freed within 2 s
          // of a disconnect (test/sse-limits.test.ts) was not freed by a heartbeat write failing.
          RESTORE_MAX_SUBSCRIBERS: "120",
          RESTORE_SSE_HEARTBEAT_SECONDS: "4",
          // test/fuzz.test.ts: requests per route and the seed of a run to replay (empty: its defaults).
          FUZZ_RUNS: process.env.FUZZ_RUNS ?? "",
          FUZZ_SEED: process.env.FUZZ_SEED ?? "",
        },
      },
    }),
  ],
  test: {
    name: "worker",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    setupFiles: ["test/apply-migrations.ts"],
    testTimeout: 60_000,
  },
});
