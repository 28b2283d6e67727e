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
      const { version, major } = await readServerVersion(client);
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      const s = await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id");
      return ok(new SnapshotSession(client, s.rows[0]!.id, version, major));
    } catch (e) {
      await client.end().catch(() => {});
      return err(
        "snapshot",
        `cannot export a snapshot on ${target.display} (use a direct endpoint, not a transaction pooler): ${(e as Error).message}`,
      );
    }
  }

  private closed = false;

  /** Ends the transaction and the connection (once; later calls do nothing). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.query("ROLLBACK").catch(() => {});
    await this.client.end().catch(() => {});
  }
}

/** Connects, reads the server version and disconnects (for `check`). */
export async function serverVersionOf(
  target: PgTarget,
): Promise<Result<{ version: string; major: number }, "connect">> {
  const client = new pg.Client({ ...target.client, connectionTimeoutMillis: 15_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return ok(await readServerVersion(client));
  } catch (e) {
    return err("connect", `cannot connect to ${target.display}: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The server's version ("15.18") and major version (15). */
async function readServerVersion(client: pg.Client): Promise<{ version: string; major: number }> {
  const v = await client.query<{ server_version: string; num: string }>(
    "SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS num",
  );
  return { version: v.rows[0]!.server_version.split(" ")[0]!, major: Math.floor(Number(v.rows[0]!.num) / 10000) };
}
