// What the settings screens read and the one write the API client has no verb for: every page of a list
// (an org has a handful of users and tokens), who created each token (the token list does not say; the
// org's signed log does), and a bucket credential's PUT.
import type { BucketCredential, LogEntriesPage } from "@walwarden/verifier/wire";
import { ApiError, getJson, SIGNED_OUT_EVENT } from "../api/client.js";
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

/**
 * PUT a bucket's read-only credential (admin); the answer is the credential without its secret. Through
 * fetch here because api/client.ts has no PUT (as lib/retention-api.ts does); its errors are the client's
 * ApiError, and a 401 signs out as everywhere.
 */
export async function putBucketCredential(bucket: string, body: unknown): Promise<BucketCredential> {
  const path = `/v1/buckets/${encodeURIComponent(bucket)}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method: "PUT",
      credentials: "same-origin",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, "network", `could not reach the API (${e instanceof Error ? e.message : String(e)})`);
  }
  const text = await res.text();
  if (res.ok) return JSON.parse(text) as BucketCredential;
  if (res.status === 401) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  let error: { code?: string; message?: string } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    // Not the API's JSON: the status says it.
  }
  throw new ApiError(res.status, error?.code ?? `http-${res.status}`, error?.message ?? `${res.status} from ${path}`);
}
