import type { PublishedKeys } from "@walwarden/verifier/wire";
import type { PinnedKeys } from "./key-store.js";

/** How the published keys differ from the pinned ones. */
export interface KeyDiff {
  /** Published, not pinned: "checkpoint key <vkey>". */
  added: string[];
  /** Pinned, no longer published. */
  removed: string[];
  origin?: { pinned: string; published: string };
}

/** The differences between two key sets, by role (order does not matter). */
export function diffKeys(
  pinned: Pick<PinnedKeys, "origin" | "checkpoint" | "manifest">,
  published: PublishedKeys,
): KeyDiff {
  const diff: KeyDiff = { added: [], removed: [] };
  for (const role of ["checkpoint", "manifest"] as const) {
    const p = new Set(pinned[role]);
    const q = new Set(published[role]);
    for (const v of q) if (!p.has(v)) diff.added.push(`${role} key ${v}`);
    for (const v of p) if (!q.has(v)) diff.removed.push(`${role} key ${v}`);
  }
  if (pinned.origin !== published.origin) diff.origin = { pinned: pinned.origin, published: published.origin };
  return diff;
}

/** True if nothing differs. */
export function sameKeys(d: KeyDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.origin === undefined;
}

/** The differences as one sentence per change. */
export function describeDiff(d: KeyDiff): string {
  const parts = [
    ...d.added.map((k) => `${k} is published but not pinned`),
    ...d.removed.map((k) => `${k} is pinned but no longer published`),
    ...(d.origin ? [`the log origin changed from ${d.origin.pinned} to ${d.origin.published}`] : []),
  ];
  return parts.join("; ");
}
