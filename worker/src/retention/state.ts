import { newestFirst } from "@walwarden/verifier";
import type { RetentionStateSchema } from "@walwarden/verifier/wire";
import type { z } from "zod";
import { iso } from "../lib/time.js";
import { databasesParam, LIVE_BACKUPS_SQL, type LiveBackupRow, liveBackupsByDatabase } from "./inputs.js";
import { retentionPolicyOf, storedPolicy } from "./policy.js";
import { expiringNow } from "./targets.js";

/** The wire's RetentionState. */
export type RetentionState = z.infer<typeof RetentionStateSchema>;

/** The verdict's reason for every backup of a database without a policy, which keeps everything (SPEC §12). */
export const NO_POLICY_REASON = "no-policy";

/**
 * A database's retention now (GET /v1/databases/:id/retention): the decision the cron tick would make, over
 * its completed backups not yet expired (each at its backup.completed entry's instant, from D1's log copy;
 * call after the copy is synced), with its newest passing drill's backup protected; without a policy every
 * backup is kept. And the backups already expired, newest first. Fails only for a zone this runtime lacks.
 */
export async function retentionState(
  db: D1Database,
  orgId: string,
  databaseId: string,
  now: number,
): Promise<RetentionState> {
  const [row, live, protect, expired] = await Promise.all([
    retentionPolicyOf(db, orgId, databaseId),
    db
      .prepare(LIVE_BACKUPS_SQL)
      .bind(databasesParam([{ orgId, databaseId }]))
      .all<LiveBackupRow>(),
    db
      .prepare(
        `SELECT backup_id FROM drills WHERE org_id = ?1 AND database_id = ?2 AND status = 'passed'
         ORDER BY finished_at DESC, id DESC LIMIT 1`,
      )
      .bind(orgId, databaseId)
      .first<{ backup_id: string }>(),
    db
      .prepare(
        `SELECT id, expired_at FROM backups WHERE org_id = ?1 AND database_id = ?2 AND expired_at IS NOT NULL
         ORDER BY expired_at DESC, id DESC`,
      )
      .bind(orgId, databaseId)
      .all<{ id: string; expired_at: number }>(),
  ]);
  const backups = liveBackupsByDatabase(live.results, now).get(databaseId) ?? [];
  const policy = row ? storedPolicy(row.policy) : null;
  let verdicts: RetentionState["verdicts"];
  if (policy) {
    const decided = expiringNow(backups, policy, now);
    if (!decided.ok) throw new Error(`retention of ${databaseId}: ${decided.message}`);
    verdicts = decided.value.verdicts.map((v) => ({ ...v, at: iso(v.at) }));
  } else
    verdicts = [...backups]
      .sort(newestFirst)
      .map((b) => ({ backupId: b.backupId, at: iso(b.at), keep: true, reasons: [NO_POLICY_REASON] }));
  return {
    databaseId,
    policy,
    decidedAt: iso(now),
    protectedBackupId: protect?.backup_id ?? null,
    verdicts,
    expired: expired.results.map((e) => ({ backupId: e.id, expiredAt: iso(e.expired_at) })),
  };
}
