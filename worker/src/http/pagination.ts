import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { PageQuery } from "@walwarden/verifier/wire";
import type { Db } from "../db/client.js";

/** A page of items and the cursor of the next page (null on the last): the wire's pageOf(item). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

type OrgTable = SQLiteTable & { id: SQLiteColumn; orgId: SQLiteColumn };

/**
 * One page (`?limit=&cursor=`, keyset over ids, which sort by creation time) of an org's rows of `table`, newest id first, with optional extra filters, each row shown
 * through `view`. Every list route is this query; the org filter is not optional.
 */
export async function orgPage<T extends OrgTable, V>(
  db: Db,
  table: T,
  orgId: string,
  q: PageQuery,
  view: (row: T["$inferSelect"]) => V,
  ...filters: (SQL | undefined)[]
): Promise<Page<V>> {
  const rows = (await db
    .select()
    .from(table as SQLiteTable)
    .where(and(eq(table.orgId, orgId), q.cursor ? lt(table.id, q.cursor) : undefined, ...filters))
    .orderBy(desc(table.id))
    .limit(q.limit + 1)) as T["$inferSelect"][];
  const items = rows.slice(0, q.limit);
  return { items: items.map(view), nextCursor: rows.length > q.limit ? (items.at(-1)?.id as string) : null };
}
