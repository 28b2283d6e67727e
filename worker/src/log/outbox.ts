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

/** An outbox row as D1 returns it. */
type OutboxRow = {
  id: number;
  org_id: string;
  key: string;
  type: EventType;
  actor: string;
  subject: string;
  data: string;
};

/** Events per INSERT statement (one JSON parameter each). */
const PER_STATEMENT = 100;
/** Events per Ledger append of one org's outbox. */
const PER_APPEND = 500;

/** Statements that put events in the outbox; send them in the same batch as the change they record. */
export function outboxStatements(
  db: D1Database,
  events: OutboxEvent[],
  now: number,
  /** Only if this jobs row exists when the statement runs: for a change whose own INSERT may do nothing. */
  onlyIfJob?: string,
): D1PreparedStatement[] {
  return onlyIfJob === undefined
    ? outboxStatementsWhere(db, events, now, "1", [])
    : outboxStatementsWhere(db, events, now, "EXISTS (SELECT 1 FROM jobs WHERE id = ?3)", [onlyIfJob]);
}

/**
 * Statements that put events in the outbox only where `condition` (SQL, its parameters bound from ?3 on)
 * holds when each runs: for events that must be written only if an earlier statement of the batch changed
 * what they record.
 */
export function outboxStatementsWhere(
  db: D1Database,
  events: OutboxEvent[],
  now: number,
  condition: string,
  params: unknown[],
): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (let i = 0; i < events.length; i += PER_STATEMENT) {
    const rows = events.slice(i, i + PER_STATEMENT).map((e) => ({ ...e, data: JSON.stringify(e.data) }));
    const statement = db.prepare(
      `INSERT OR IGNORE INTO outbox (org_id, key, type, actor, subject, data, created_at)
       SELECT value ->> '$.orgId', value ->> '$.key', value ->> '$.type', value ->> '$.actor', value ->> '$.subject', value ->> '$.data', ?1
       FROM json_each(?2) WHERE ${condition}`,
    );
    out.push(statement.bind(now, JSON.stringify(rows), ...params));
  }
  return out;
}

/**
 * Appends an org's outbox to its log, oldest first, then deletes what was appended. Safe to run twice at
 * once: the Ledger appends each key once. Returns the last append's result (null if nothing was waiting).
 */
export async function flushOutbox(env: Env, orgId: string): Promise<AppendResult | null> {
  let last: AppendResult | null = null;
  for (;;) {
    const { results: rows } = await env.DB.prepare(
      "SELECT id, org_id, key, type, actor, subject, data FROM outbox WHERE org_id = ? ORDER BY id LIMIT ?",
    )
      .bind(orgId, PER_APPEND)
      .all<OutboxRow>();
    if (rows.length === 0) return last;
    last = await appendToLog(
      env,
      orgId,
      rows.map((r) => ({
        key: r.key,
        type: r.type,
        actor: r.actor,
        subject: r.subject,
        data: JSON.parse(r.data) as unknown,
      })),
    );
    await env.DB.prepare("DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))")
      .bind(JSON.stringify(rows.map((r) => r.id)))
      .run();
    if (rows.length < PER_APPEND) return last;
  }
}

/** Outbox rows read per pass of flushAllOutboxes. */
const PER_PASS = 1000;
/**
 * Ledger calls one sweep may make. Each is a subrequest, and a Worker invocation may make at most 1,000;
 * what is left waits for the next tick (or the org's next runner call, which flushes its own outbox first).
 */
const MAX_LEDGER_CALLS = 900;
/** Ledger appends in flight at once (Workers allow six simultaneous outgoing connections). */
const PARALLEL_APPENDS = 6;

/**
 * Appends every org's waiting events to its log (the cron tick's sweep): reads up to 1,000 rows ordered by
 * org, then id (so each org's events keep their order and a pass touches as few orgs as possible), appends
 * each org's share to its Ledger, and deletes them with one statement. Two statements per 1,000 events
 * however many orgs they belong to, and about one Ledger call per org.
 */
export async function flushAllOutboxes(env: Env, d1: CountingD1): Promise<{ events: number; orgs: number }> {
  let events = 0;
  let calls = 0;
  const orgs = new Set<string>();
  while (calls < MAX_LEDGER_CALLS) {
    const rows = await d1.all<OutboxRow>(
      d1.prepare(
        "SELECT id, org_id, key, type, actor, subject, data FROM outbox ORDER BY org_id, id LIMIT ?",
        PER_PASS,
      ),
    );
    if (rows.length === 0) break;
    const byOrg = new Map<string, OutboxRow[]>();
    for (const r of rows) {
      const own = byOrg.get(r.org_id);
      if (own) own.push(r);
      else byOrg.set(r.org_id, [r]);
    }
    const work = [...byOrg].slice(0, MAX_LEDGER_CALLS - calls);
    calls += work.length;
    for (let i = 0; i < work.length; i += PARALLEL_APPENDS) {
      await Promise.all(
        work.slice(i, i + PARALLEL_APPENDS).map(([orgId, own]) =>
          appendToLog(
            env,
            orgId,
            own.map((r) => ({
              key: r.key,
              type: r.type,
              actor: r.actor,
              subject: r.subject,
              data: JSON.parse(r.data) as unknown,
            })),
          ),
        ),
      );
    }
    const done = work.flatMap(([, own]) => own);
    await d1.batch([
      d1.prepare(
        "DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))",
        JSON.stringify(done.map((r) => r.id)),
      ),
    ]);
    events += done.length;
    for (const [org] of work) orgs.add(org);
    if (rows.length < PER_PASS) break;
  }
  return { events, orgs: orgs.size };
}
