import type { AlertCondition } from "@walwarden/verifier";
import type { CountingD1 } from "../lib/d1-counter.js";

/** How far back the tick looks for events (the log's D1 copy may lag the Ledger; ids make a second look harmless). */
export const EVENT_LOOKBACK_MS = 60 * 60_000;

/** An event that is notified once (it is in the log already): a key rotation or a restore's issue or end. */
export interface EventFinding {
  /** Deterministic from the org and the entry's seq, so each event is one incident however often it is seen. */
  incidentId: string;
  orgId: string;
  condition: AlertCondition;
  subject: string;
  summary: string;
  detail: string | null;
  at: number;
}

interface Row {
  org_id: string;
  seq: number;
  type: string;
  at: number;
  actor: string;
  subject: string;
  entry: string;
  database_name: string | null;
}

const EVENT_TYPES: Record<string, AlertCondition> = {
  "key.rotated": "key.rotated",
  "runner.key_rotated": "key.rotated",
  "restore.token_issued": "restore.issued",
  "restore.completed": "restore.completed",
  "restore.failed": "restore.failed",
  "witness.refused": "witness.refused",
};

/** What one event says, for people. */
function describe(r: Row, data: Record<string, unknown>): { summary: string; detail: string | null } {
  const db = r.database_name ?? "a database";
  switch (r.type) {
    case "key.rotated":
      return { summary: `The ${String(data.purpose)} signing key was rotated`, detail: `new key ${String(data.vkey)}` };
    case "runner.key_rotated":
      return {
        summary: `Runner ${String(data.runnerId)} registered a new key`,
        detail: `new key ${String(data.vkey)}`,
      };
    case "restore.token_issued":
      return { summary: `A restore of ${db} was issued by ${r.actor}`, detail: null };
    case "witness.refused":
      return {
        summary: `Runner ${String(data.runnerId)} refused the log's checkpoint of size ${String(data.size)} (${String(data.code)}): the log may have shown it another history`,
        detail: String(data.message ?? "") || null,
      };
    case "restore.completed":
      return { summary: `A restore of ${db} completed${data.dryRun ? " (verify only)" : ""}`, detail: null };
    default:
      return {
        summary: `A restore of ${db} failed at ${String(data.stage)}`,
        detail: String(data.reason ?? "") || null,
      };
  }
}

/** The event conditions' entries of the last EVENT_LOOKBACK_MS, across orgs (one indexed statement). */
export async function findEvents(d1: CountingD1, now: number): Promise<EventFinding[]> {
  const rows = await d1.all<Row>(
    d1.prepare(
      `SELECT l.org_id, l.seq, l.type, l.at, l.actor, l.subject, l.entry, d.name AS database_name
       FROM log_entries l
       LEFT JOIN restores r ON l.subject = 'restore:' || r.id AND r.org_id = l.org_id
       LEFT JOIN databases d ON d.id = r.database_id
       WHERE l.type IN (SELECT value FROM json_each(?1)) AND l.at > ?2 AND l.at <= ?3`,
      JSON.stringify(Object.keys(EVENT_TYPES)),
      now - EVENT_LOOKBACK_MS,
      now,
    ),
  );
  return rows.map((r) => {
    const data = (JSON.parse(r.entry) as { data: Record<string, unknown> }).data;
    return {
      incidentId: `inc_evt.${r.org_id}.${r.seq}`,
      orgId: r.org_id,
      condition: EVENT_TYPES[r.type]!,
      subject: r.subject,
      ...describe(r, data),
      at: r.at,
    };
  });
}
