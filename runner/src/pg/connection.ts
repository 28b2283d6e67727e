import { pgConnection, type PgConnection } from "@walwarden/postgres";
import type { Result } from "@walwarden/verifier";
import type { DatabaseConfig } from "../config/schema.js";

/** How to reach one source database: a node-postgres config (row counts, fingerprint, snapshot) and pg_dump's --dbname and PGPASSWORD. */
export type PgTarget = PgConnection;

/** The target of a configured database: its URL (URI or keyword/value), else libpq's environment and service file. */
export function pgTarget(db: DatabaseConfig, env: NodeJS.ProcessEnv): Result<PgTarget, "bad-connection"> {
  return pgConnection(db.url, env, "walwarden-runner");
}
