import type pg from "pg";

/** How often the fallback looks at the WAL flush position. */
const POLL_MS = 20;

/**
 * Returns once every transaction committed so far on the target is flushed to its WAL: pg_restore's
 * sessions commit asynchronously (SESSION_OPTIONS). A synchronous commit that wrote WAL flushes all of it
 * up to itself: a temporary table created and dropped in one transaction (a transaction that wrote no
 * WAL, e.g. SELECT txid_current(), commits without flushing). Where temporary tables are not allowed, it
 * waits for the WAL writer to flush past the current insert position instead (it does within 3 ×
 * wal_writer_delay), at most `timeoutMs`. False if it could not make sure.
 */
export async function flushCommits(client: pg.Client, timeoutMs = 5_000): Promise<boolean> {
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL synchronous_commit = on");
    await client.query("CREATE TEMPORARY TABLE walwarden_flush () ON COMMIT DROP");
    await client.query("COMMIT");
    return true;
  } catch {
    await client.query("ROLLBACK").catch(() => {});
  }
  const { lsn } = (await client.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn")).rows[0]!;
  for (
    const deadline = Date.now() + timeoutMs;
    Date.now() < deadline;
    await new Promise((r) => setTimeout(r, POLL_MS))
  ) {
    const { done } = (
      await client.query<{ done: boolean }>("SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn AS done", [lsn])
    ).rows[0]!;
    if (done) return true;
  }
  return false;
}
