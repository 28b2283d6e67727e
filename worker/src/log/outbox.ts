import type { EventType } from "@walwarden/verifier";
import type { Env } from "../env.js";
import { appendToLog } from "../ledger/client.js";
import type { AppendResult } from "../ledger/ledger.js";
import type { CountingD1 } from "../lib/d1-counter.js";

/** A log event waiting in the outbox. `key` is its idempotency key in the Ledger. */
export interface OutboxEvent {
  orgId: string;
  key: string;
  type: EventType;
  actor: string;
  subject: string;
  data: unknown;
}

/** Events per INSERT statement (one JSON parameter each). */
const PER_STATEMENT = 100;
/** Events per Ledger append. */
const PER_APPEND = 500;

/** Statements that put events in the outbox; send them in the same batch as the change they record. */
export function outboxStatements(db: D1Database, events: OutboxEvent[], now: number): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (let i = 0; i < events.length; i += PER_STATEMENT) {
    const rows = events.slice(i, i + PER_STATEMENT).map((e) => ({ ...e, data: JSON.stringify(e.data) }));
    out.push(
      db
        .prepare(
          `INSERT OR IGNORE INTO outbox (org_id, key, type, actor, subject, data, created_at)
           SELECT value ->> '$.orgId', value ->> '$.key', value ->> '$.type', value ->> '$.actor', value ->> '$.subject', value ->> '$.data', ?1
           FROM json_each(?2)`,
        )
        .bind(now, JSON.stringify(rows)),
    );
  }
  return out;
}

/**
 * Appends an org's outbox to its log, oldest first, then deletes what was appended. Safe to run twice at
 * once: the Ledger appends each key once. Returns the last append's result (null if nothing was waiting).
 */
export async function flushOutbox(env: Env, orgId: string, d1?: CountingD1): Promise<AppendResult | null> {
  let last: AppendResult | null = null;
  for (;;) {
    const select = env.DB.prepare("SELECT id, key, type, actor, subject, data FROM outbox WHERE org_id = ? ORDER BY id LIMIT ?").bind(orgId, PER_APPEND);
    const rows = d1
      ? await d1.all<{ id: number; key: string; type: EventType; actor: string; subject: string; data: string }>(select)
      : (await select.all<{ id: number; key: string; type: EventType; actor: string; subject: string; data: string }>()).results;
    if (rows.length === 0) return last;
    last = await appendToLog(
      env,
      orgId,
      rows.map((r) => ({ key: r.key, type: r.type, actor: r.actor, subject: r.subject, data: JSON.parse(r.data) as unknown })),
    );
    const del = env.DB.prepare("DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))").bind(JSON.stringify(rows.map((r) => r.id)));
    if (d1) await d1.batch([del]);
    else await del.run();
    if (rows.length < PER_APPEND) return last;
  }
}

/** Orgs with events waiting in the outbox. */
export async function orgsWithOutbox(d1: CountingD1): Promise<string[]> {
  const rows = await d1.all<{ org_id: string }>(d1.prepare("SELECT DISTINCT org_id FROM outbox LIMIT 1000"));
  return rows.map((r) => r.org_id);
}
