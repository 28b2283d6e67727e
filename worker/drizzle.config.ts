import { defineConfig } from "drizzle-kit";

// `npm run db:generate -w worker` writes flat SQL migrations into ../migrations, which wrangler applies.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "../migrations",
});
