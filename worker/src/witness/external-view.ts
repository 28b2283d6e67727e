import type { Witness } from "@walwarden/verifier/wire";
import type { witnesses } from "../db/schema.js";
import type { Env } from "../env.js";
import { ledgerOf, unwrapLedger } from "../ledger/client.js";
import { iso } from "../lib/time.js";
import { witnessBackoffMs } from "./external-tick.js";

/** A row of `witnesses`. */
export type WitnessRow = typeof witnesses.$inferSelect;

const secondsSince = (ms: number, now: number) => Math.max(0, Math.floor((now - ms) / 1000));

/**
 * The org's witnesses as the API answers them, with their lag (SPEC §13): the log's size from the Ledger,
 * and for a witness behind it the `at` of the first entry it has not cosigned (the Ledger's original, one
 * read per distinct cosigned size), which is when the oldest checkpoint waiting for it was signed.
 */
export async function witnessViews(env: Env, orgId: string, rows: WitnessRow[], now: number): Promise<Witness[]> {
  if (rows.length === 0) return [];
  const ledger = ledgerOf(env, orgId);
  const head = unwrapLedger(await ledger.checkpoint(orgId)).treeSize;
  const waiting = new Map<number, number | null>();
  for (const size of new Set(rows.map((r) => r.cosignedSize).filter((s) => s < head))) {
    const [entry] = unwrapLedger(await ledger.entries(orgId, size, 1));
    const at = entry === undefined ? Number.NaN : Date.parse((JSON.parse(entry) as { at: string }).at);
    waiting.set(size, Number.isFinite(at) ? at : null);
  }
  return rows.map((r) => {
    const cosignedAt = r.cosignedSize > 0 ? r.lastSuccessAt : null;
    const since = r.cosignedSize < head ? (waiting.get(r.cosignedSize) ?? null) : null;
    return {
      id: r.id,
      name: r.name,
      url: r.url,
      vkey: r.vkey,
      cosignedSize: r.cosignedSize,
      headSize: head,
      cosignedAt: iso(cosignedAt),
      cosignatureAgeSeconds: cosignedAt === null ? null : secondsSince(cosignedAt, now),
      waitingSince: iso(since),
      lagSeconds: since === null ? 0 : secondsSince(since, now),
      lastAttemptAt: iso(r.lastAttemptAt),
      lastSuccessAt: iso(r.lastSuccessAt),
      lastError: r.lastError,
      failures: r.failures,
      retryAfter:
        r.failures > 0 && r.lastAttemptAt !== null ? iso(r.lastAttemptAt + witnessBackoffMs(r.failures)) : null,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    };
  });
}
