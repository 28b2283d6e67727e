import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema.js";

/** The drizzle client over the D1 binding. */
export type Db = DrizzleD1Database<typeof schema>;

/** Wraps the D1 binding in drizzle with the schema. */
export function dbOf(d1: D1Database): Db {
  return drizzle(d1, { schema });
}
