/** Rows per INSERT: one JSON parameter each, well under D1's statement size limit. */
const ROWS_PER_STATEMENT = 100;

/**
 * Writes stored entry texts into D1's log_entries, idempotently (INSERT OR IGNORE on org + seq), in one
 * batch of statements that each carry up to 100 entries as one JSON parameter.
 */
export async function mirrorToD1(db: D1Database, orgId: string, entries: string[]): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < entries.length; i += ROWS_PER_STATEMENT) {
    const chunk = JSON.stringify(entries.slice(i, i + ROWS_PER_STATEMENT));
    statements.push(
      db
        .prepare(
          `INSERT OR IGNORE INTO log_entries (org_id, seq, type, at, actor, subject, entry)
           SELECT ?1, json_extract(e.value, '$.seq'), json_extract(e.value, '$.type'),
                  CAST(round(unixepoch(json_extract(e.value, '$.at'), 'subsec') * 1000) AS INTEGER),
                  json_extract(e.value, '$.actor'), json_extract(e.value, '$.subject'), e.value
           FROM json_each(?2) e`,
        )
        .bind(orgId, chunk),
    );
  }
  await db.batch(statements);
}
