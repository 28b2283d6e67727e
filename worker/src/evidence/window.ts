/** A log window: entries [start, end) of a log whose head is `head`. */
export interface SeqWindow {
  start: number;
  end: number;
}

/**
 * The entries of an org's log timestamped in [from, to) (epoch ms), among the first `head`: since `at`
 * never decreases along the log they are consecutive, [first seq at or after `from`, first seq at or after
 * `to`), each found with one lookup on D1's (org_id, at, seq) index. D1's copy must hold at least `head`
 * entries (the caller syncs it first).
 */
export async function periodWindow(
  db: D1Database,
  orgId: string,
  from: number,
  to: number,
  head: number,
): Promise<SeqWindow> {
  const firstAtOrAfter = async (at: number): Promise<number> => {
    const row = await db
      .prepare("SELECT seq FROM log_entries WHERE org_id = ?1 AND at >= ?2 ORDER BY at, seq LIMIT 1")
      .bind(orgId, at)
      .first<{ seq: number }>();
    return Math.min(row?.seq ?? head, head);
  };
  const start = await firstAtOrAfter(from);
  const end = Math.max(start, await firstAtOrAfter(to));
  return { start, end };
}
