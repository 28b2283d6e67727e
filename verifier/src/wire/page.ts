import { z } from "zod";
import { Id } from "../schema/common.js";

/** `?limit=&cursor=` of every list route: keyset pagination over ids, newest first. */
export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Id.optional(),
});
/** A list query, normalised. */
export type PageQuery = z.infer<typeof PageQuerySchema>;

/** One page of a list route: its items, newest first, and the cursor of the next page (null on the last). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), nextCursor: Id.nullable() });
}
