import { quoteIdentifier } from "@walwarden/postgres";
import pg from "pg";
import type { RestoreTarget } from "./restore-target.js";

/**
 * Creates the schemas named by --schema that the target lacks: pg_restore --schema restores the objects
 * in a schema but not the schema itself.
 */
export async function ensureSchemas(target: RestoreTarget, schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client(target.client);
  client.on("error", () => {});
  await client.connect();
  try {
    for (const s of schemas) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(s)}`);
  } finally {
    await client.end().catch(() => {});
  }
}
