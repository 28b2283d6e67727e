import { err, ok, type Result } from "@walwarden/verifier";
import pg from "pg";
import type { PgTarget } from "./connection.js";

/**
 * A session holding one REPEATABLE READ transaction open and its exported snapshot: pg_dump runs with
 * --snapshot=<id>, and the row counts and schema fingerprint are read in this same transaction, so all
 * three describe the same instant of the database. The transaction must stay open until pg_dump has
 * imported the snapshot; we keep it for the whole dump.
 */
export class SnapshotSession {
  private constructor(
    readonly client: pg.Client,
    readonly snapshotId: string,
    readonly serverVersion: string,
    readonly serverMajor: number,
  ) {}

  /** Connects, reads the server version, begins the transaction and exports its snapshot. */
  static async open(target: PgTarget): Promise<Result<SnapshotSession, "connect" | "snapshot">> {
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
      const v = await client.query<{ server_version: string; num: string }>("SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS num");
      const serverVersion = v.rows[0]!.server_version.split(" ")[0]!;
      const serverMajor = Math.floor(Number(v.rows[0]!.num) / 10000);
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      const s = await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id");
      return ok(new SnapshotSession(client, s.rows[0]!.id, serverVersion, serverMajor));
    } catch (e) {
      await client.end().catch(() => {});
      return err("snapshot", `cannot export a snapshot on ${target.display} (use a direct endpoint, not a transaction pooler): ${(e as Error).message}`);
    }
  }

  /** Ends the transaction and the connection. */
  async close(): Promise<void> {
    await this.client.query("ROLLBACK").catch(() => {});
    await this.client.end().catch(() => {});
  }
}

/** Connects, reads the server version and disconnects (for `check`). */
export async function serverVersionOf(target: PgTarget): Promise<Result<{ version: string; major: number }, "connect">> {
  const client = new pg.Client({ ...target.client, connectionTimeoutMillis: 15_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    const v = await client.query<{ server_version: string; num: string }>("SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS num");
    return ok({ version: v.rows[0]!.server_version.split(" ")[0]!, major: Math.floor(Number(v.rows[0]!.num) / 10000) });
  } catch (e) {
    return err("connect", `cannot connect to ${target.display}: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}
