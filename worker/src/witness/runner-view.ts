import { formatCosignerVkey, parseVkey } from "@walwarden/verifier";
import { MAX_RUNNER_WITNESSES, type RunnerWitness } from "@walwarden/verifier/wire";
import { and, asc, eq, isNotNull, isNull } from "drizzle-orm";
import { dbOf } from "../db/client.js";
import { runners } from "../db/schema.js";
import type { Env } from "../env.js";
import { ledgerOf, unwrapLedger } from "../ledger/client.js";
import { iso } from "../lib/time.js";

const secondsSince = (ms: number, now: number) => Math.max(0, Math.floor((now - ms) / 1000));

/**
 * The org's runners as witnesses (SPEC §13), with their lag computed as an external witness's: every runner
 * not revoked that registered a key (the first MAX_RUNNER_WITNESSES by id), its cosigner vkey (the key it
 * cosigns with: its registered key's name and public key as type 0x04), and from one Ledger call the newest
 * size its key name cosigned, when that was kept, and since when the oldest entry it has not cosigned waits.
 */
export async function runnerWitnessViews(env: Env, orgId: string, now: number): Promise<RunnerWitness[]> {
  const rows = await dbOf(env.DB)
    .select({ id: runners.id, name: runners.name, vkey: runners.vkey })
    .from(runners)
    .where(and(eq(runners.orgId, orgId), isNull(runners.revokedAt), isNotNull(runners.vkey)))
    .orderBy(asc(runners.id))
    .limit(MAX_RUNNER_WITNESSES);
  const keyed = rows.flatMap((r) => {
    const key = r.vkey ? parseVkey(r.vkey) : undefined;
    return key?.ok
      ? [{ ...r, keyName: key.value.name, vkey: formatCosignerVkey(key.value.name, key.value.publicKey) }]
      : [];
  });
  if (keyed.length === 0) return [];
  const { treeSize, heads } = unwrapLedger(
    await ledgerOf(env, orgId).witnessHeads(
      orgId,
      keyed.map((r) => r.keyName),
    ),
  );
  return keyed.map((r, i) => {
    const head = heads[i]!;
    return {
      runnerId: r.id,
      name: r.name,
      keyName: r.keyName,
      vkey: r.vkey,
      cosignedSize: head.size,
      cosignedAt: iso(head.at),
      headSize: treeSize,
      waitingSince: iso(head.waitingSince),
      lagSeconds: head.waitingSince === null ? 0 : secondsSince(head.waitingSince, now),
    };
  });
}
