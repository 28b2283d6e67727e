import { CONDITION_SEVERITY, type AlertCondition, type AlertSeverity, type NoticeKind } from "@walwarden/verifier";
import type { CountingD1 } from "../lib/d1-counter.js";
import { newId } from "../lib/ids.js";
import type { Finding } from "./find-conditions.js";
import type { EventFinding } from "./find-events.js";

/** Ticks in a row a condition must be seen clear before its incident resolves (damps flapping). */
export const CLEAR_TICKS_TO_RESOLVE = 2;

/** An incident that needs a notice this tick, for the channels that take it. */
export interface IncidentNotice {
  incidentId: string;
  orgId: string;
  kind: Exclude<NoticeKind, "test">;
  condition: AlertCondition;
  severity: AlertSeverity;
  subject: string;
  openedAt: number;
  /** The previous tick that saw it open (repeats are due when a channel's interval boundary lies after it). */
  lastSeenAt: number;
}

/** What reconciling did. */
export interface IncidentStats {
  opened: number;
  resolved: number;
  open: number;
}

interface OpenRow {
  id: string;
  org_id: string;
  condition: AlertCondition;
  subject: string;
  severity: AlertSeverity;
  summary: string;
  detail: string | null;
  opened_at: number;
  last_seen_at: number;
  clear_ticks: number;
}

/** Rows per statement: one JSON parameter each, far below D1's 2 MB limit on a string (a row is ≤ 2 KB). */
export const ROWS_PER_STATEMENT = 500;
/** Summaries rewritten per statement (see where they are used). */
const REWRITES_PER_STATEMENT = 100;

/** `rows` as JSON parameters of at most ROWS_PER_STATEMENT rows each. */
export function chunks(rows: readonly unknown[], size = ROWS_PER_STATEMENT): string[] {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += size) out.push(JSON.stringify(rows.slice(i, i + size)));
  return out;
}

const keyOf = (orgId: string, condition: string, subject: string) => `${orgId} ${condition} ${subject}`;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Brings the incidents in line with what holds now: a finding with no open incident opens one (logged
 * alert.opened), one with an open incident refreshes it, and an open incident whose condition was seen
 * clear for CLEAR_TICKS_TO_RESOLVE ticks in a row resolves (logged alert.resolved). The incident rows and
 * their outbox rows go in one batch each; an outbox row is written only if its incident row is there, so
 * two ticks at once open one incident and log it once (the unique open key).
 */
export async function reconcileIncidents(
  d1: CountingD1,
  findings: Finding[],
  now: number,
): Promise<{ notices: IncidentNotice[]; stats: IncidentStats }> {
  const open = await d1.all<OpenRow>(
    d1.prepare(
      "SELECT id, org_id, condition, subject, severity, summary, detail, opened_at, last_seen_at, clear_ticks FROM alert_incidents WHERE open_key IS NOT NULL",
    ),
  );
  const openByKey = new Map(open.map((r) => [keyOf(r.org_id, r.condition, r.subject), r]));
  const holding = new Set<string>();
  const toOpen: { id: string; f: Finding; severity: AlertSeverity }[] = [];
  const seen: string[] = [];
  const toRewrite: { id: string; summary: string; detail: string | null }[] = [];
  const notices: IncidentNotice[] = [];
  for (const f of findings) {
    const key = keyOf(f.orgId, f.condition, f.subject);
    if (holding.has(key)) continue;
    holding.add(key);
    const existing = openByKey.get(key);
    const severity = CONDITION_SEVERITY[f.condition];
    if (existing) {
      seen.push(existing.id);
      if (existing.summary !== f.summary || existing.detail !== f.detail)
        toRewrite.push({ id: existing.id, summary: f.summary, detail: f.detail });
      notices.push(notice(existing, "repeated"));
    } else {
      const id = newId("inc", now);
      toOpen.push({ id, f, severity });
      notices.push({
        incidentId: id,
        orgId: f.orgId,
        kind: "opened",
        condition: f.condition,
        severity,
        subject: f.subject,
        openedAt: now,
        lastSeenAt: now,
      });
    }
  }
  const clearing = open.filter((r) => !holding.has(keyOf(r.org_id, r.condition, r.subject)));
  const resolving = clearing.filter((r) => r.clear_ticks + 1 >= CLEAR_TICKS_TO_RESOLVE);
  const stillClearing = clearing.filter((r) => r.clear_ticks + 1 < CLEAR_TICKS_TO_RESOLVE);
  for (const r of resolving) notices.push(notice(r, "resolved"));

  const opened = toOpen.map(({ id, f, severity }) => ({
    id,
    orgId: f.orgId,
    condition: f.condition,
    subject: f.subject,
    openKey: `${f.condition} ${f.subject}`,
    severity,
    summary: f.summary,
    detail: f.detail,
    data: { incidentId: id, condition: f.condition, subject: f.subject, severity, openedAt: iso(now) },
  }));
  const resolved = resolving.map((r) => ({
    id: r.id,
    data: {
      incidentId: r.id,
      condition: r.condition,
      subject: r.subject,
      openedAt: iso(r.opened_at),
      resolvedAt: iso(now),
    },
  }));
  await d1.batch([
    ...chunks(opened).flatMap((part) => [
      d1.prepare(
        `INSERT OR IGNORE INTO alert_incidents (id, org_id, condition, subject, open_key, severity, summary, detail,
                                                opened_at, last_seen_at, clear_ticks, last_notified_at)
         SELECT value ->> '$.id', value ->> '$.orgId', value ->> '$.condition', value ->> '$.subject',
                value ->> '$.openKey', value ->> '$.severity', value ->> '$.summary', value ->> '$.detail', ?1, ?1, 0, ?1
         FROM json_each(?2)`,
        now,
        part,
      ),
      d1.prepare(
        `INSERT OR IGNORE INTO outbox (org_id, key, type, actor, subject, data, created_at)
         SELECT i.org_id, 'alert-opened:' || i.id, 'alert.opened', 'system:cron', i.subject, json(o.value ->> '$.data'), ?1
         FROM json_each(?2) AS o JOIN alert_incidents i ON i.id = o.value ->> '$.id'`,
        now,
        part,
      ),
    ]),
    // By primary key (IN), never UPDATE … FROM json_each: that joins every incident with every row given.
    ...chunks(seen).map((part) =>
      d1.prepare(
        `UPDATE alert_incidents SET last_seen_at = ?1, clear_ticks = 0
         WHERE open_key IS NOT NULL AND id IN (SELECT value FROM json_each(?2))`,
        now,
        part,
      ),
    ),
    // The few whose facts changed (a new failure reason, a newer backup still too old).
    // By primary key; each row's new text comes from a correlated lookup in the chunk, which SQLite re-reads
    // per updated row, so these chunks are smaller (100 × 100, not 500 × 500).
    ...chunks(toRewrite, REWRITES_PER_STATEMENT).map((part) =>
      d1.prepare(
        `UPDATE alert_incidents
         SET summary = (SELECT value ->> '$.summary' FROM json_each(?1) WHERE value ->> '$.id' = alert_incidents.id),
             detail = (SELECT value ->> '$.detail' FROM json_each(?1) WHERE value ->> '$.id' = alert_incidents.id)
         WHERE id IN (SELECT value ->> '$.id' FROM json_each(?1))`,
        part,
      ),
    ),
    ...chunks(stillClearing.map((r) => r.id)).map((part) =>
      d1.prepare(
        `UPDATE alert_incidents SET clear_ticks = clear_ticks + 1
         WHERE open_key IS NOT NULL AND id IN (SELECT value FROM json_each(?1))`,
        part,
      ),
    ),
    ...chunks(resolved).flatMap((part) => [
      // The outbox row first, while the incident is still open: a resolution is logged once.
      d1.prepare(
        `INSERT OR IGNORE INTO outbox (org_id, key, type, actor, subject, data, created_at)
         SELECT i.org_id, 'alert-resolved:' || i.id, 'alert.resolved', 'system:cron', i.subject, json(o.value ->> '$.data'), ?1
         FROM json_each(?2) AS o JOIN alert_incidents i ON i.id = o.value ->> '$.id' AND i.open_key IS NOT NULL`,
        now,
        part,
      ),
      d1.prepare(
        `UPDATE alert_incidents SET open_key = NULL, resolved_at = ?1, clear_ticks = clear_ticks + 1
         WHERE open_key IS NOT NULL AND id IN (SELECT value ->> '$.id' FROM json_each(?2))`,
        now,
        part,
      ),
    ]),
  ]);
  return {
    notices,
    stats: {
      opened: toOpen.length,
      resolved: resolving.length,
      open: open.length + toOpen.length - resolving.length,
    },
  };
}

/** A notice of an incident read back from D1. */
function notice(r: OpenRow, kind: "repeated" | "resolved"): IncidentNotice {
  return {
    incidentId: r.id,
    orgId: r.org_id,
    kind,
    condition: r.condition,
    severity: r.severity,
    subject: r.subject,
    openedAt: r.opened_at,
    lastSeenAt: r.last_seen_at,
  };
}

/**
 * Records events (key rotations, restores) as incidents that open and resolve at once: no alert.opened or
 * alert.resolved is logged (the event is in the log already), and each is notified once, when first seen:
 * its id is deterministic, so a later tick that sees the same entry inserts nothing and notifies nothing.
 */
export async function recordEvents(d1: CountingD1, events: EventFinding[], now: number): Promise<IncidentNotice[]> {
  if (events.length === 0) return [];
  const inserted: { id: string }[] = [];
  for (const part of chunks(events.map((e) => ({ ...e, severity: CONDITION_SEVERITY[e.condition] }))))
    inserted.push(
      ...(await d1.all<{ id: string }>(
        d1.prepare(
          `INSERT OR IGNORE INTO alert_incidents (id, org_id, condition, subject, open_key, severity, summary, detail,
                                              opened_at, last_seen_at, clear_ticks, last_notified_at, resolved_at)
       SELECT value ->> '$.incidentId', value ->> '$.orgId', value ->> '$.condition', value ->> '$.subject', NULL,
              value ->> '$.severity', value ->> '$.summary', value ->> '$.detail', value ->> '$.at', ?1, 0, ?1, value ->> '$.at'
       FROM json_each(?2) RETURNING id`,
          now,
          part,
        ),
      )),
    );
  const fresh = new Set(inserted.map((r) => r.id));
  return events
    .filter((e) => fresh.has(e.incidentId))
    .map((e) => ({
      incidentId: e.incidentId,
      orgId: e.orgId,
      kind: "opened" as const,
      condition: e.condition,
      severity: CONDITION_SEVERITY[e.condition],
      subject: e.subject,
      openedAt: e.at,
      lastSeenAt: e.at,
    }));
}
