import { env, runInDurableObject } from "cloudflare:test";
import type { Ledger } from "../../src/ledger/ledger.js";

// What a refused request must leave as it was: D1 and each org's Ledger. Dumping every table before and
// after every request would cost more than the requests as D1 grows, so D1 is watched instead: a trigger
// on every table counts each row inserted, updated or deleted (in the writing statement's own
// transaction, so nothing escapes it, not even a write that puts a value back). A snapshot is those
// counts and each org's Ledger head (entries, stored nodes, newest signed checkpoint, meta, newest entry),
// taken after each Ledger's background copy into D1 has caught up, so a snapshot never changes on its own.

/** Rows written per D1 table and operation, and each org's Ledger head, as text by name. */
export type WriteSnapshot = Record<string, string>;

const OPS = ["insert", "update", "delete"] as const;

/** Puts a write-counting trigger on every D1 table (once per test file: its storage is its own). */
export async function watchWrites(): Promise<void> {
  await env.DB.prepare(
    "CREATE TABLE IF NOT EXISTS fuzz_writes (tbl TEXT NOT NULL, op TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (tbl, op))",
  ).run();
  const { results } = await env.DB.prepare(
    String.raw`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE '\_cf\_%' ESCAPE '\' AND name != 'fuzz_writes'`,
  ).all<{ name: string }>();
  const statements = results.flatMap(({ name }) =>
    OPS.map((op) =>
      env.DB.prepare(
        `CREATE TRIGGER IF NOT EXISTS "fuzz_${name}_${op}" AFTER ${op.toUpperCase()} ON "${name}" BEGIN
           INSERT INTO fuzz_writes (tbl, op, n) VALUES ('${name}', '${op}', 1) ON CONFLICT (tbl, op) DO UPDATE SET n = n + 1;
         END`,
      ),
    ),
  );
  await env.DB.batch(statements);
}

/** An org's Ledger head, read inside the Durable Object once its copy into D1 has caught up. */
function ledgerHead(orgId: string): Promise<string> {
  return runInDurableObject(env.LEDGER.get(env.LEDGER.idFromName(orgId)), async (instance, state) => {
    const synced = await (instance as unknown as Ledger).syncMirror(orgId);
    if (!synced.ok) throw new Error(synced.message);
    const [head] = state.storage.sql
      .exec(
        `SELECT (SELECT count(*) FROM entries) AS entries, (SELECT count(*) FROM nodes) AS nodes,
                (SELECT size || ' ' || note FROM checkpoints ORDER BY size DESC LIMIT 1) AS checkpoint,
                (SELECT group_concat(k || '=' || v, ' ') FROM (SELECT k, v FROM meta ORDER BY k)) AS meta,
                (SELECT json_extract(entry, '$.type') FROM entries ORDER BY seq DESC LIMIT 1) AS lastType,
                (SELECT json_extract(entry, '$.data.reason') FROM entries ORDER BY seq DESC LIMIT 1) AS lastReason`,
      )
      .toArray();
    return JSON.stringify(head);
  });
}

/** The orgs of the last snapshot: orgs are made only by bootstrap, so this is checked, not re-read first. */
let orgIds: string[] = [];

/** D1's write counts and every org's Ledger head, now (after watchWrites). */
export async function writeSnapshot(): Promise<WriteSnapshot> {
  for (;;) {
    // The Ledgers first: their copy into D1 writes log_entries, which the counts below must include.
    const heads = await Promise.all(orgIds.map(ledgerHead));
    const [writes, orgs] = await env.DB.batch<Record<string, string | number>>([
      env.DB.prepare("SELECT tbl, op, n FROM fuzz_writes"),
      env.DB.prepare("SELECT id FROM orgs ORDER BY id"),
    ]);
    const ids = orgs!.results.map((o) => String(o.id));
    if (ids.join() !== orgIds.join()) {
      orgIds = ids; // a new org: read its Ledger too
      continue;
    }
    const snap: WriteSnapshot = {};
    for (const w of writes!.results) snap[`d1 ${w.tbl} ${w.op}s`] = String(w.n);
    ids.forEach((id, i) => {
      snap[`ledger ${id}`] = heads[i]!;
    });
    return snap;
  }
}

/** One thing a snapshot says that changed. */
export interface Change {
  name: string;
  before?: string;
  after?: string;
}

/** What changed between two snapshots (empty when nothing did). */
export function changesBetween(before: WriteSnapshot, after: WriteSnapshot): Change[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names]
    .filter((n) => before[n] !== after[n])
    .map((name) => ({ name, before: before[name], after: after[name] }));
}

/** Changes as lines, for a failure message. */
export const describeChanges = (changes: Change[]) =>
  changes.map((c) => `${c.name}: ${c.before ?? "-"} → ${c.after ?? "-"}`).join("\n");
