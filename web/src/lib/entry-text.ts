// The org's log entries as the dashboard reads them: one entry's stored text (the exact bytes the leaf hash
// is over), pages of entries newest first, and who and what an entry names in words and links.
import { getJson } from "../api/client.js";
import type { LogEntriesPage } from "@walwarden/verifier/wire";
import { parseSubject, subjectPath } from "./alerts.js";

/** The stored text of log entry `seq`: the exact bytes as logged, which the leaf hash is over. */
export async function fetchEntryText(seq: number): Promise<string> {
  const q = new URLSearchParams({ limit: "1" });
  if (seq > 0) q.set("after", String(seq - 1));
  const page = await getJson<LogEntriesPage>(`/v1/log/entries?${q}`);
  const text = page.entries[0];
  if (text === undefined) throw new Error(`log entry ${seq} is not in the log`);
  const parsed = JSON.parse(text) as { seq?: number };
  if (parsed.seq !== seq) throw new Error(`asked for log entry ${seq}, got ${String(parsed.seq)}`);
  return text;
}

/** A log entry as listed: its fields, and the exact text it is stored as. */
export interface ListedEntry {
  seq: number;
  at: string;
  type: string;
  actor: string;
  subject: string;
  data: unknown;
  /** The stored text (JCS bytes), as the API served it. */
  text: string;
}

/** A page of entries newest first, and the exclusive upper bound (a seq) of the next older page; null at seq 0. */
export interface NewestPage {
  entries: ListedEntry[];
  olderThan: number | null;
}

/** Reads GET /v1/log/entries (injected in tests). */
export type ReadEntries = (query: URLSearchParams) => Promise<LogEntriesPage>;

/** The API's largest page. */
const MAX_LIMIT = 1000;

/**
 * Up to `size` entries with seq below `below`, newest first, of one type and subject if given. The API
 * pages oldest first from a seq (`after`), so this reads windows of seqs backwards from `below`: a page's
 * worth when nothing is filtered (each window is then full), growing to the API's largest page while a
 * filter finds few, and at most `maxReads` requests; `olderThan` says where the next page starts.
 */
export async function newestEntries(
  read: ReadEntries,
  {
    below,
    size,
    type,
    subject,
    maxReads = 12,
  }: {
    below: number;
    size: number;
    type?: string;
    subject?: string;
    maxReads?: number;
  },
): Promise<NewestPage> {
  const filtered = Boolean(type || subject);
  const found: ListedEntry[] = [];
  let hi = below;
  let window = size;
  for (let reads = 0; hi > 0 && found.length < size && reads < maxReads; reads++) {
    const lo = Math.max(0, hi - window);
    const q = new URLSearchParams({ limit: String(hi - lo) });
    if (lo > 0) q.set("after", String(lo - 1));
    if (type) q.set("type", type);
    if (subject) q.set("subject", subject);
    const page = await read(q);
    const got = page.entries.map(listedEntry).filter((e) => e.seq >= lo && e.seq < hi);
    found.push(...got.sort((a, b) => b.seq - a.seq));
    hi = lo;
    if (filtered) window = Math.min(MAX_LIMIT, window * 4);
  }
  if (found.length > size) return { entries: found.slice(0, size), olderThan: found[size - 1]!.seq };
  return { entries: found, olderThan: hi > 0 ? hi : null };
}

/** A stored entry's text as listed. */
export function listedEntry(text: string): ListedEntry {
  const e = JSON.parse(text) as Omit<ListedEntry, "text">;
  return { seq: e.seq, at: e.at, type: e.type, actor: e.actor, subject: e.subject, data: e.data, text };
}

/** The entry in full, for a person: its JSON indented. */
export function entryJson(e: ListedEntry): string {
  try {
    return JSON.stringify(JSON.parse(e.text), null, 2);
  } catch {
    return e.text;
  }
}

/** Where the dashboard shows a log entry's subject, if it has a screen. */
export function entrySubjectPath(subject: string): string | null {
  const known = subjectPath(subject);
  if (known) return known;
  const { kind, id } = parseSubject(subject);
  if (kind === "backup") return `/backups/${encodeURIComponent(id)}`;
  if (kind === "drill") return `/drills/${encodeURIComponent(id)}`;
  if (kind === "channel") return "/alerts/channels";
  return null;
}

/** Names the dashboard knows for actors, by actor ("runner:rnr_…", "user:usr_…", "token:tok_…"). */
export type ActorNames = ReadonlyMap<string, string>;

/** An actor as a person reads it: a runner's or token's name, a user's email, else the actor itself. */
export function actorLabel(actor: string, names: ActorNames): { label: string; kind: string; named: boolean } {
  const { kind } = parseSubject(actor);
  const name = names.get(actor);
  return name ? { label: name, kind, named: true } : { label: actor, kind, named: false };
}

/** One page of a keyset list (GET /v1/runners, /v1/users, /v1/tokens). */
interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** Every item of a keyset list, at most `maxPages` pages of 200. */
async function listAll<T>(path: string, maxPages = 10): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < maxPages; n++) {
    const q = new URLSearchParams({ limit: "200" });
    if (cursor) q.set("cursor", cursor);
    const page: ListPage<T> = await getJson<ListPage<T>>(`${path}?${q}`);
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

/**
 * The actors' names the signed-in principal may read: runners' names (any role), and for admins users'
 * emails and API tokens' names; the signed-in user's own email always. A list the role may not read, or
 * that fails, just leaves those actors as ids.
 */
export async function fetchActorNames(me: {
  principal: { kind: string; id: string; role: string; email?: string };
}): Promise<ActorNames> {
  const names = new Map<string, string>();
  const admin = me.principal.role === "admin";
  const [runners, users, tokens] = await Promise.all([
    listAll<{ id: string; name: string }>("/v1/runners").catch(() => []),
    admin ? listAll<{ id: string; email: string }>("/v1/users").catch(() => []) : [],
    admin ? listAll<{ id: string; name: string }>("/v1/tokens").catch(() => []) : [],
  ]);
  for (const r of runners) names.set(`runner:${r.id}`, r.name);
  for (const u of users) names.set(`user:${u.id}`, u.email);
  for (const t of tokens) names.set(`token:${t.id}`, t.name);
  if (me.principal.kind === "user" && me.principal.email) names.set(`user:${me.principal.id}`, me.principal.email);
  return names;
}
