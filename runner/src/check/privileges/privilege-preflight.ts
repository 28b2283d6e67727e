import { err, ok, type Result } from "@walwarden/verifier";
import pg from "pg";
import type { PgTarget } from "../../pg/connection.js";
import type { SchemaFilter } from "@walwarden/postgres";
import { type BackupRole, readBackupRole } from "./backup-role-query.js";
import { privilegeFindings, type PrivilegeFinding } from "./privilege-findings.js";
import { readRlsTables } from "./rls-tables-query.js";
import { readSchemaUsage, type SchemaUsage } from "./schema-usage-query.js";
import { readUnreadableLargeObjects } from "./unreadable-large-objects-query.js";
import { readUnreadableRelations } from "./unreadable-relations-query.js";

/** What the preflight saw: the role, the schemas a backup reads, and what would make the backup fail. */
export interface PreflightReport {
  role: BackupRole;
  schemas: SchemaUsage[];
  findings: PrivilegeFinding[];
}

/**
 * Connects as the configured role and finds, from the catalogs, what pg_dump would fail on with the
 * configured schema filter: schemas without USAGE, tables and sequences without SELECT, row-level
 * security the role does not bypass, unreadable large objects. One query per category (not per table),
 * all in one read-only transaction, so thousands of tables cost the same few round trips.
 */
export async function privilegePreflight(
  target: PgTarget,
  filter: SchemaFilter,
): Promise<Result<PreflightReport, "connect" | "query">> {
  const client = new pg.Client({ ...target.client, connectionTimeoutMillis: 15_000 });
  client.on("error", () => {
    // A dropped connection surfaces on the next query; without this listener it would crash the process.
  });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    return err("connect", `cannot connect to ${target.display}: ${(e as Error).message}`);
  }
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    await client.query("SET LOCAL statement_timeout = '60s'");
    const role = await readBackupRole(client);
    const schemas = await readSchemaUsage(client, filter);
    const unreadable = await readUnreadableRelations(client, filter);
    const rls = await readRlsTables(client, filter);
    const largeObjects = await readUnreadableLargeObjects(client, filter);
    return ok({ role, schemas, findings: privilegeFindings({ schemas, unreadable, rls, largeObjects }) });
  } catch (e) {
    return err("query", `cannot read ${target.display}'s privileges from its catalogs: ${(e as Error).message}`);
  } finally {
    await client.query("ROLLBACK").catch(() => {});
    await client.end().catch(() => {});
  }
}
