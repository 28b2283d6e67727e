import { createHash } from "node:crypto";
import { lookup } from "node:dns/promises";
import { type PgConnection, pgConnection, quoteIdentifier } from "@walwarden/postgres";
import { err, ok, redactSecrets, type Result } from "@walwarden/verifier";
import pg from "pg";
import type { DrillTarget, TargetErrorCode } from "./drill-target.js";
import { shortVersion } from "./drill-target.js";

/** The scratch database of a drill: `walwarden_drill_<drill id>` (a hash of the id if that is over PostgreSQL's 63 bytes). */
export function scratchDatabaseName(drillId: string): string {
  const name = `walwarden_drill_${drillId}`;
  if (Buffer.byteLength(name) <= 63) return name;
  return `walwarden_drill_${createHash("sha256").update(drillId).digest("hex").slice(0, 40)}`;
}

/** Where a connection goes: each address its host resolves to (or its socket dir), and its port. */
export interface Endpoint {
  addresses: string[];
  port: number;
}

/** The addresses `host` resolves to now (a socket dir is itself), normalized (::ffff:a.b.c.d → a.b.c.d). */
export async function endpointOf(c: Pick<PgConnection, "client">): Promise<Endpoint> {
  const host = String(c.client.host ?? "localhost");
  const port = Number(c.client.port ?? 5432);
  if (host.startsWith("/")) return { addresses: [`socket:${host.replace(/\/+$/, "")}`], port };
  const found = await lookup(host, { all: true }).catch(() => [] as { address: string }[]);
  const addresses = found.length ? found.map((a) => a.address) : [host];
  return { addresses: addresses.map((a) => a.replace(/^::ffff:/i, "").toLowerCase()), port };
}

/** Whether two endpoints may be the same server: one address in common and the same port (loopback counts as one address). */
export function sameServer(a: Endpoint, b: Endpoint): boolean {
  const norm = (x: string) => (x === "::1" || x.startsWith("127.") ? "loopback" : x);
  const bs = new Set(b.addresses.map(norm));
  return a.port === b.port && a.addresses.some((x) => bs.has(norm(x)));
}

/**
 * The configured scratch server, unless it is a source's server: compared by resolved address and port
 * with every source database (a drill creates and drops a database there, and restores a backup into
 * it; it must never be a server the runner backs up). Undefined when it is not the same as any.
 */
export async function refuseSourceServer(
  scratch: PgConnection,
  sources: Record<string, PgConnection>,
): Promise<string | undefined> {
  const mine = await endpointOf(scratch);
  for (const [id, source] of Object.entries(sources)) {
    const theirs = await endpointOf(source);
    if (sameServer(mine, theirs))
      return `drills.server is the server of the source database ${id} (${mine.addresses.join(", ")} port ${mine.port} resolve to it too): a drill creates and drops a database on its target, so it must be a scratch server that holds no source; set drills.server to another server`;
  }
  return undefined;
}

/**
 * Creates the scratch database on the configured server (its name recorded in the journal first, by the
 * caller) and returns it as a target; remove() drops it (WITH (FORCE): pg_restore's workers may linger).
 */
export async function createServerTarget(
  serverUrl: string,
  database: string,
  env: NodeJS.ProcessEnv,
): Promise<Result<DrillTarget, TargetErrorCode>> {
  const admin = pgConnection(serverUrl, env, "walwarden-drill");
  if (!admin.ok) return err("unusable", `drills.server: ${admin.message}`);
  const target = pgConnection(serverUrl, env, "walwarden-drill", database);
  if (!target.ok) return err("unusable", `drills.server: ${target.message}`);
  const secrets = [serverUrl, admin.value.password ?? ""].filter(Boolean);
  const client = new pg.Client({ ...admin.value.client, connectionTimeoutMillis: 15_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
    await client.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
    const v = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return ok({
      kind: "server",
      connection: target.value,
      serverVersion: shortVersion(v.rows[0]!.v),
      remove: () => dropScratchDatabase(serverUrl, database, env).then(() => {}),
    });
  } catch (e) {
    return err(
      "unavailable",
      `cannot create ${database} on ${admin.value.display}: ${redactSecrets((e as Error).message, secrets)}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** DROP DATABASE IF EXISTS … WITH (FORCE) on the scratch server; false (never a throw) if it could not. */
export async function dropScratchDatabase(
  serverUrl: string,
  database: string,
  env: NodeJS.ProcessEnv,
): Promise<boolean> {
  const admin = pgConnection(serverUrl, env, "walwarden-drill");
  if (!admin.ok) return false;
  const client = new pg.Client({ ...admin.value.client, connectionTimeoutMillis: 15_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client
      .query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`)
      .catch(() => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`));
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
