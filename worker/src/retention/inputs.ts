import { RESTORE_STATES, type RetainedBackup, TERMINAL_STATES } from "@walwarden/verifier";

/** A database whose decision is read: its org and id. */
export interface DecidedDatabase {
  orgId: string;
  databaseId: string;
}

/** One completed backup not yet expired, as the decision and the choice of targets see it. */
export interface LiveBackup extends RetainedBackup {
  /** The backup of the database's newest passing drill (by its drills row or by the log copy): never expired. */
  protected: boolean;
  /** A drill or a restore of it is under way: not a target now, however the decision goes. */
  busy: boolean;
  /** May be a target now: no prune found it missing, and a blocked one's retry time has come. */
  eligible: boolean;
}

/** A row of LIVE_BACKUPS_SQL. */
export interface LiveBackupRow {
  database_id: string;
  backup_id: string;
  at: number;
  prune_outcome: string | null;
  prune_retry_at: number | null;
  busy: number;
  protected: number;
}

/** A restore in one of these states may still download the backup's bytes. */
const UNFINISHED_RESTORES = RESTORE_STATES.filter((s) => !TERMINAL_STATES.has(s));

/**
 * The decision's inputs for many databases in one statement (bind `databasesParam(dbs)` as ?1):
 * each completed backup not yet expired with the `at` of its backup.completed entry (D1's log copy, by the
 * backup's log seq; one whose entry is not copied yet is left out, which can only keep more), whether it is
 * the backup of its database's newest passing drill, whether an unfinished drill job or restore has it, and
 * whether it may be a target. The newest passing drill is read twice, from the drills rows (written after its
 * log entry) and from D1's log copy (what an auditor reads, which may lag): both are protected, so whichever
 * the log says is the newest is never a target (one in between is a drill job still completing: busy).
 */
export const LIVE_BACKUPS_SQL = `
  WITH dbs AS (SELECT value ->> '$.orgId' AS org_id, value ->> '$.databaseId' AS database_id FROM json_each(?1)),
  protect AS (
    SELECT (SELECT d.backup_id FROM drills d WHERE d.org_id = dbs.org_id AND d.database_id = dbs.database_id
              AND d.status = 'passed' ORDER BY d.finished_at DESC, d.id DESC LIMIT 1) AS backup_id
    FROM dbs
    UNION ALL
    SELECT (SELECT l.entry ->> '$.data.backupId' FROM log_entries l
            WHERE l.org_id = dbs.org_id AND l.type = 'drill.completed' AND l.subject = 'database:' || dbs.database_id
            ORDER BY l.seq DESC LIMIT 1)
    FROM dbs),
  busy AS (
    SELECT j.backup_id FROM dbs JOIN jobs j ON j.database_id = dbs.database_id AND j.org_id = dbs.org_id
    WHERE j.kind = 'drill' AND j.status IN ('queued', 'leased', 'completing')
    UNION
    SELECT r.backup_id FROM dbs JOIN restores r ON r.org_id = dbs.org_id AND r.database_id = dbs.database_id
    WHERE r.state IN (${UNFINISHED_RESTORES.map((s) => `'${s}'`).join(", ")}))
  SELECT b.database_id, b.id AS backup_id, l.at, b.prune_outcome, b.prune_retry_at,
         b.id IN (SELECT backup_id FROM busy) AS busy,
         b.id IN (SELECT backup_id FROM protect WHERE backup_id IS NOT NULL) AS protected
  FROM dbs JOIN backups b ON b.org_id = dbs.org_id AND b.database_id = dbs.database_id AND b.expired_at IS NULL
  JOIN log_entries l ON l.org_id = b.org_id AND l.seq = b.log_seq`;

/** The one JSON parameter of LIVE_BACKUPS_SQL. */
export const databasesParam = (dbs: DecidedDatabase[]) =>
  JSON.stringify(dbs.map((d) => ({ orgId: d.orgId, databaseId: d.databaseId })));

/** The rows of LIVE_BACKUPS_SQL by database, each backup with what it may be at `now`. */
export function liveBackupsByDatabase(rows: LiveBackupRow[], now: number): Map<string, LiveBackup[]> {
  const out = new Map<string, LiveBackup[]>();
  for (const r of rows) {
    const b: LiveBackup = {
      backupId: r.backup_id,
      at: r.at,
      protected: r.protected === 1,
      busy: r.busy === 1,
      eligible: r.prune_outcome === null || (r.prune_outcome !== "missing" && (r.prune_retry_at ?? 0) <= now),
    };
    const own = out.get(r.database_id);
    if (own) own.push(b);
    else out.set(r.database_id, [b]);
  }
  return out;
}
