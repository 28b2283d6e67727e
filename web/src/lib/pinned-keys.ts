// Trust on first use for the API's verifier keys: the first time this browser verifies something it pins
// the keys published at /.well-known/walwarden/keys (and says so, showing them, so the user can compare
// them with a copy they got another way). From then on verification uses the pinned keys only, and a
// published key that was not pinned is reported as a change, never silently trusted.
import type { PublishedKeys } from "@walwarden/verifier/wire";

/** What one browser pinned, for one API origin. */
export interface PinnedKeys {
  /** The log origin prefix (each org's log is `<origin>/<orgId>`). */
  origin: string;
  checkpoint: string[];
  manifest: string[];
  pinnedAt: string;
}

/** How the published keys compare with the pinned ones. */
export type PinComparison =
  | { state: "first-use"; pinned: PinnedKeys }
  | { state: "match"; pinned: PinnedKeys }
  | { state: "changed"; pinned: PinnedKeys; added: string[]; removed: string[]; originChanged: boolean };

/** The subset of Storage we use (localStorage in the browser, a Map in tests). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** localStorage key of the pinned keys. */
export const PINNED_KEYS_STORAGE_KEY = "walwarden.pinnedKeys.v1";

function isPinned(v: unknown): v is PinnedKeys {
  const p = v as PinnedKeys;
  return (
    !!p &&
    typeof p.origin === "string" &&
    Array.isArray(p.checkpoint) &&
    Array.isArray(p.manifest) &&
    typeof p.pinnedAt === "string"
  );
}

/** The pinned keys, or undefined if nothing (readable) is pinned. */
export function readPinned(store: KeyValueStore): PinnedKeys | undefined {
  try {
    const parsed: unknown = JSON.parse(store.getItem(PINNED_KEYS_STORAGE_KEY) ?? "null");
    return isPinned(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Pins `published` (first use, or the user's explicit decision to trust a change). */
export function pin(store: KeyValueStore, published: PublishedKeys, now = new Date()): PinnedKeys {
  const pinned: PinnedKeys = {
    origin: published.origin,
    checkpoint: [...published.checkpoint],
    manifest: [...published.manifest],
    pinnedAt: now.toISOString(),
  };
  store.setItem(PINNED_KEYS_STORAGE_KEY, JSON.stringify(pinned));
  return pinned;
}

/**
 * Compares the published keys with the pinned ones, pinning them on first use. A published key that is
 * not pinned (a rotation, or an attacker's key) or a different origin is a change. A pinned key that is
 * no longer published is listed too, but alone it is no change: verification keeps using what is pinned.
 */
export function comparePinned(store: KeyValueStore, published: PublishedKeys, now = new Date()): PinComparison {
  const pinned = readPinned(store);
  if (!pinned) return { state: "first-use", pinned: pin(store, published, now) };
  const mine = new Set([...pinned.checkpoint, ...pinned.manifest]);
  const theirs = [...published.checkpoint, ...published.manifest];
  const added = theirs.filter((k) => !mine.has(k));
  const removed = [...mine].filter((k) => !theirs.includes(k));
  const originChanged = pinned.origin !== published.origin;
  if (added.length === 0 && !originChanged) return { state: "match", pinned };
  return { state: "changed", pinned, added, removed, originChanged };
}

/** Every pinned vkey, for policyFromVkeys. */
export function pinnedVkeys(p: PinnedKeys): string[] {
  return [...p.checkpoint, ...p.manifest];
}

/** The short name and key id of a vkey (`name+keyid+key` → "name (keyid)"), for display. */
export function describeVkey(vkey: string): string {
  const [name, id] = vkey.split("+");
  return id ? `${name} (${id})` : vkey;
}
