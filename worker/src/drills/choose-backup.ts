import { type DrillBackupChoice, sha256, utf8 } from "@walwarden/verifier";

/** One drill to find a backup for: its database, the slot, the policy's choice, and a key to match the answer. */
export interface BackupPick {
  key: string;
  orgId: string;
  databaseId: string;
  /** The slot instant (epoch ms); for a drill someone asked for, when they asked. */
  slot: number;
  choice: DrillBackupChoice;
  /** The drill's id: a random pick is derived from it, so the same drill always picks the same backup. */
  drillId: string;
}

/** The pick's number: the first four bytes of the SHA-256 of the drill id, as an unsigned integer. */
export function pickNumber(drillId: string): number {
  const h = sha256(utf8(drillId));
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

/**
 * Chooses a backup for many drills in one statement (bind `picksParam(picks)` as ?1), of the completed
 * backups not expired by retention (SPEC §12): `latest` is the database's newest completed backup; `random` is, of its backups completed in the `withinDays` before the
 * slot (ordered by completion, then id), the one at index `pickNumber(drillId) mod n`, or the newest if
 * none is that recent. A database with no completed backup gets null. Rows: `{key, backup_id}`.
 */
export const CHOOSE_BACKUPS_SQL = `
  WITH due AS (
    SELECT value ->> '$.key' AS k, value ->> '$.orgId' AS org_id, value ->> '$.databaseId' AS database_id,
           value ->> '$.slot' AS slot, value ->> '$.withinDays' AS within_days, value ->> '$.n' AS h
    FROM json_each(?1)),
  recent AS (
    SELECT due.k, b.id, due.h,
           row_number() OVER (PARTITION BY due.k ORDER BY b.completed_at, b.id) - 1 AS i,
           count(*) OVER (PARTITION BY due.k) AS n
    FROM due JOIN backups b ON b.org_id = due.org_id AND b.database_id = due.database_id AND b.expired_at IS NULL
    WHERE due.within_days IS NOT NULL
      AND b.completed_at > due.slot - due.within_days * 86400000 AND b.completed_at <= due.slot)
  SELECT due.k AS key,
         coalesce((SELECT r.id FROM recent r WHERE r.k = due.k AND r.i = r.h % r.n),
                  (SELECT b.id FROM backups b WHERE b.org_id = due.org_id AND b.database_id = due.database_id
                     AND b.expired_at IS NULL ORDER BY b.completed_at DESC, b.id DESC LIMIT 1)) AS backup_id
  FROM due`;

/** The one parameter of CHOOSE_BACKUPS_SQL. */
export function picksParam(picks: BackupPick[]): string {
  return JSON.stringify(
    picks.map((p) => ({
      key: p.key,
      orgId: p.orgId,
      databaseId: p.databaseId,
      slot: p.slot,
      withinDays: p.choice.pick === "random" ? p.choice.withinDays : null,
      n: pickNumber(p.drillId),
    })),
  );
}

/** A row of CHOOSE_BACKUPS_SQL. */
export interface ChosenBackup {
  key: string;
  backup_id: string | null;
}
