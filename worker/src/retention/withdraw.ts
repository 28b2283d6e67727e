/**
 * Statements that withdraw a database's queued prune jobs, run in the batch that changes or removes its
 * policy or deletes it: a queued prune did nothing and logged nothing, and what it was to delete was decided
 * under what no longer holds (a retried one, queued again after a failed attempt, too). One that is leased
 * runs on: its runner may be deleting already, and its report is logged as it happened.
 */
export function withdrawQueuedPrunes(db: D1Database, orgId: string, databaseId: string): D1PreparedStatement[] {
  const queued = "SELECT id FROM jobs WHERE org_id = ?1 AND database_id = ?2 AND kind = 'prune' AND status = 'queued'";
  return [
    db.prepare(`DELETE FROM prune_jobs WHERE job_id IN (${queued})`).bind(orgId, databaseId),
    db.prepare(`DELETE FROM jobs WHERE id IN (${queued})`).bind(orgId, databaseId),
  ];
}
