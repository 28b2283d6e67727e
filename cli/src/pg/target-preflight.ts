import { SESSION_OPTIONS } from "@walwarden/postgres";
import { err, ok, type Result, redactSecrets } from "@walwarden/verifier";
import pg from "pg";
import { describeObjects, existingObjects, type RestoreSelection } from "./non-empty-objects.js";
import type { RestoreTarget } from "./restore-target.js";

/** What the preflight learned about the target. */
export interface TargetInfo {
  serverVersion: string;
  serverMajor: number;
  /** Objects a restore could collide with (0 when checked empty; not counted with --clean). */
  existingObjects: number;
}

/** Why the target cannot take the restore. */
export type TargetPreflightError = "unreachable" | "not-empty" | "read-only";

/**
 * Connects to the target read-only (default_transaction_read_only, so the check itself can change
 * nothing) with pg_restore's session options, reads its version, refuses a standby, and unless `allowExisting` (--clean) checks that the
 * selection would restore into an empty database. Messages name the target as user@host:port/db, never
 * its password.
 */
export async function preflightTarget(
  target: RestoreTarget,
  selection: RestoreSelection,
  allowExisting: boolean,
  timeoutMs = 15_000,
): Promise<Result<TargetInfo, TargetPreflightError>> {
  // pg_restore's session options too: a server or pooler that refuses them (PgBouncer refuses options it
  // does not track) is found here, before the claim, not by pg_restore.
  const client = new pg.Client({
    ...target.client,
    connectionTimeoutMillis: timeoutMs,
    options: `-c default_transaction_read_only=on ${SESSION_OPTIONS}`,
  });
  client.on("error", () => {}); // a connection lost after the check must not crash the CLI
  try {
    await client.connect();
  } catch (e) {
    return err(
      "unreachable",
      `cannot connect to the restore target ${target.display}: ${redactSecrets((e as Error).message, [target.password])}. Check --target (or PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSERVICE), that the server is running and that the database exists (create it with createdb or CREATE DATABASE).`,
    );
  }
  try {
    const v = (
      await client.query<{ v: string; n: string; standby: boolean }>(
        "SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n, pg_is_in_recovery() AS standby",
      )
    ).rows[0]!;
    const serverMajor = Math.floor(Number(v.n) / 10000);
    if (v.standby)
      return err(
        "read-only",
        `the restore target ${target.display} is a standby (in recovery) and cannot be written: restore into the primary or another database.`,
      );
    if (allowExisting) return ok({ serverVersion: v.v, serverMajor, existingObjects: 0 });
    const found = await existingObjects(client, selection);
    if (found.total > 0) {
      const scope = selection.schemas.length
        ? ` in schema${selection.schemas.length > 1 ? "s" : ""} ${selection.schemas.join(", ")}`
        : "";
      return err(
        "not-empty",
        `the restore target ${target.display} is not empty${scope}: ${found.total} object${found.total === 1 ? "" : "s"} (${describeObjects(found.examples)}${found.total > found.examples.length ? ", …" : ""}). Restore into an empty database (e.g. createdb a new one and point --target at it), or pass --clean to drop and re-create the backup's objects (objects that are not in the backup are left as they are).`,
      );
    }
    return ok({ serverVersion: v.v, serverMajor, existingObjects: 0 });
  } catch (e) {
    return err(
      "unreachable",
      `cannot inspect the restore target ${target.display}: ${redactSecrets((e as Error).message, [target.password])}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}
