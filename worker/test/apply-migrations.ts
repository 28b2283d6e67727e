import { applyD1Migrations, env } from "cloudflare:test";

// Runs before each test file (each has its own storage): the schema from migrations/, as wrangler applies it.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
