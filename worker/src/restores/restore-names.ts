import { and, eq, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Env } from "../env.js";
import { dbOf } from "../db/client.js";
import { apiTokens, databases, users } from "../db/schema.js";

/** The names a restore is shown with: its database's and its issuer's. */
export interface RestoreNames {
  databaseName: string | null;
  issuedByName: string | null;
}

/** `column IN (ids)` with the ids as one JSON parameter: D1 binds at most 100 parameters, a page holds 200. */
const within = (column: SQLiteColumn, ids: string[]): SQL =>
  sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

/** The log's actor split into its kind and id (`user:usr_1` → user, usr_1). */
function actorParts(actor: string): { kind: string; id: string } {
  const i = actor.indexOf(":");
  return i < 0 ? { kind: "", id: actor } : { kind: actor.slice(0, i), id: actor.slice(i + 1) };
}

/**
 * Names for restores, looked up once per list (three queries at most, whatever the page size): the
 * database's name (a deleted database keeps its row, so its name too) and who issued it, for people: a
 * user's email or an API token's name (a revoked token keeps its row; a removed user does not: null). A
 * viewer, who may not list users, reads these names on the restores it may read anyway.
 */
export async function restoreNames(
  env: Env,
  orgId: string,
  restores: readonly { databaseId: string; issuedBy: string }[],
): Promise<(r: { databaseId: string; issuedBy: string }) => RestoreNames> {
  const db = dbOf(env.DB);
  const unique = (xs: string[]) => [...new Set(xs)];
  const actors = restores.map((r) => actorParts(r.issuedBy));
  const dbIds = unique(restores.map((r) => r.databaseId));
  const userIds = unique(actors.filter((a) => a.kind === "user").map((a) => a.id));
  const tokenIds = unique(actors.filter((a) => a.kind === "token").map((a) => a.id));
  const [dbRows, userRows, tokenRows] = await Promise.all([
    dbIds.length
      ? db
          .select({ id: databases.id, name: databases.name })
          .from(databases)
          .where(and(eq(databases.orgId, orgId), within(databases.id, dbIds)))
      : [],
    userIds.length
      ? db
          .select({ id: users.id, email: users.email })
          .from(users)
          .where(and(eq(users.orgId, orgId), within(users.id, userIds)))
      : [],
    tokenIds.length
      ? db
          .select({ id: apiTokens.id, name: apiTokens.name })
          .from(apiTokens)
          .where(and(eq(apiTokens.orgId, orgId), within(apiTokens.id, tokenIds)))
      : [],
  ]);
  const dbName = new Map(dbRows.map((d) => [d.id, d.name]));
  const userEmail = new Map(userRows.map((u) => [u.id, u.email]));
  const tokenName = new Map(tokenRows.map((t) => [t.id, t.name]));
  return (r) => {
    const a = actorParts(r.issuedBy);
    const issuedByName =
      a.kind === "user" ? (userEmail.get(a.id) ?? null) : a.kind === "token" ? (tokenName.get(a.id) ?? null) : null;
    return { databaseName: dbName.get(r.databaseId) ?? null, issuedByName };
  };
}
