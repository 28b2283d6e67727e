import { env, runInDurableObject } from "cloudflare:test";
import { toHex } from "@walwarden/verifier";

/** Every row of every table, as JSON text, by table name. */
export type Dump = Record<string, string>;

/** Tables SQLite, D1 and Durable Objects keep for themselves (and refuse to let us read). */
const OWN_TABLES = String.raw`type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE '\_cf\_%' ESCAPE '\'`;

/** JSON text of rows, with BLOBs as hex so their bytes are searchable too. */
const text = (rows: unknown[]) =>
  JSON.stringify(rows, (_k, v: unknown) => (v instanceof ArrayBuffer ? toHex(new Uint8Array(v)) : v));

/**
 * Waits until every org's Ledger has copied its entries into D1 (the copy runs in the background), so a
 * snapshot taken now does not change later on its own.
 */
export async function settleLogs(): Promise<void> {
  const { results } = await env.DB.prepare("SELECT id FROM orgs").all<{ id: string }>();
  for (const { id } of results) {
    const synced = await env.LEDGER.get(env.LEDGER.idFromName(id)).syncMirror(id);
    if (!synced.ok) throw new Error(synced.message);
  }
}

/** Every row of every D1 table (after settleLogs). */
export async function dumpD1(): Promise<Dump> {
  await settleLogs();
  const { results } = await env.DB.prepare(`SELECT name FROM sqlite_master WHERE ${OWN_TABLES} ORDER BY name`).all<{
    name: string;
  }>();
  const dump: Dump = {};
  for (const { name } of results) dump[name] = text((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
  return dump;
}

/** Every row of every table in an org's Ledger Durable Object (its own SQLite: entries, nodes, checkpoints, meta). */
export async function dumpLedger(orgId: string): Promise<Dump> {
  return runInDurableObject(env.LEDGER.get(env.LEDGER.idFromName(orgId)), (_instance, state) => {
    const sql = state.storage.sql;
    const names = sql
      .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE ${OWN_TABLES} ORDER BY name`)
      .toArray();
    return Object.fromEntries(names.map(({ name }) => [name, text(sql.exec(`SELECT * FROM "${name}"`).toArray())]));
  });
}
