// What the settings screens read, and a bucket credential's PUT: every page of a list (an org has a handful
// of users and tokens), who created each token (the token list does not say; the org's signed log does).
import type { BucketCredential, LogEntriesPage } from "@walwarden/verifier/wire";
import { getJson, putJson } from "../api/client.js";
import { tokenCreatorsOf } from "./settings.js";

/** Most pages read of one list (200 each): far past any org's users or tokens. */
const MAX_PAGES = 50;

/** Every item of a paged list route, newest first. */
export async function allPages<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const q = new URLSearchParams({ limit: "200" });
    if (cursor) q.set("cursor", cursor);
    const page: { items: T[]; nextCursor: string | null } = await getJson(`${path}?${q}`);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return items;
}

/** Token id → the actor that created it, from the log's `token.created` entries. */
export async function tokenCreators(): Promise<Map<string, string>> {
  const texts: string[] = [];
  let after: number | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const q = new URLSearchParams({ type: "token.created", limit: "1000" });
    if (after !== null) q.set("after", String(after));
    const page: LogEntriesPage = await getJson(`/v1/log/entries?${q}`);
    texts.push(...page.entries);
    after = page.nextAfter;
    if (after === null) break;
  }
  return tokenCreatorsOf(texts);
}

/** PUT a bucket's read-only credential (admin); the answer is the credential without its secret. */
export const putBucketCredential = (bucket: string, body: unknown): Promise<BucketCredential> =>
  putJson<BucketCredential>(`/v1/buckets/${encodeURIComponent(bucket)}`, body);
