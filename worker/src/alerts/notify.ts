import { type AlertCondition, type AlertSeverity, severityAtLeast } from "@walwarden/verifier";
import type { CountingD1 } from "../lib/d1-counter.js";
import { chunks, type IncidentNotice } from "./incidents.js";

/** The queue message of one delivery: only its id (the consumer reads the rest from D1). */
export interface DeliveryMessage {
  deliveryId: string;
}

/** A channel as the tick needs it to route notices. */
interface ChannelRow {
  id: string;
  org_id: string;
  conditions: string;
  min_severity: AlertSeverity;
  repeat_minutes: number | null;
}

/** A delivery to write: one notice for one channel. */
interface NewDelivery {
  id: string;
  orgId: string;
  channelId: string;
  incidentId: string;
  kind: string;
}

/** Whether a channel takes a condition of a severity. */
export function channelTakes(
  channel: { conditions: AlertCondition[]; minSeverity: AlertSeverity },
  condition: AlertCondition,
  severity: AlertSeverity,
): boolean {
  return (
    (channel.conditions.length === 0 || channel.conditions.includes(condition)) &&
    severityAtLeast(severity, channel.minSeverity)
  );
}

/**
 * Which repeat of an open incident is due at `now` for a channel repeating every `repeatMinutes`: the
 * number of the interval boundary passed since the previous tick, or null when none was.
 */
export function repeatDue(n: IncidentNotice, repeatMinutes: number | null, now: number): number | null {
  if (repeatMinutes === null) return null;
  const every = repeatMinutes * 60_000;
  const current = Math.floor((now - n.openedAt) / every);
  const before = Math.floor((n.lastSeenAt - n.openedAt) / every);
  return current > before && current >= 1 ? current : null;
}

/** The delivery id of a notice for a channel: deterministic, so a tick run twice writes one delivery. */
export const deliveryId = (incidentId: string, channelId: string, kind: string) =>
  `dlv.${incidentId}.${channelId}.${kind}`;

/**
 * Writes one delivery per (notice, channel that takes it) and returns their queue messages. A delivery
 * is written only if its incident exists (an incident that lost a race to another tick has none), and
 * with INSERT OR IGNORE, so a repeated tick queues nothing twice.
 */
export async function writeDeliveries(
  d1: CountingD1,
  notices: IncidentNotice[],
  now: number,
): Promise<DeliveryMessage[]> {
  if (notices.length === 0) return [];
  const orgs = [...new Set(notices.map((n) => n.orgId))];
  const channels = await d1.all<ChannelRow>(
    d1.prepare(
      `SELECT id, org_id, conditions, min_severity, repeat_minutes FROM alert_channels
       WHERE enabled = 1 AND org_id IN (SELECT value FROM json_each(?1))`,
      JSON.stringify(orgs),
    ),
  );
  const byOrg = new Map<string, ChannelRow[]>();
  for (const c of channels) byOrg.set(c.org_id, [...(byOrg.get(c.org_id) ?? []), c]);
  const out: NewDelivery[] = [];
  for (const n of notices) {
    for (const c of byOrg.get(n.orgId) ?? []) {
      const routed = { conditions: JSON.parse(c.conditions) as AlertCondition[], minSeverity: c.min_severity };
      if (!channelTakes(routed, n.condition, n.severity)) continue;
      let kind: string = n.kind;
      if (n.kind === "repeated") {
        const due = repeatDue(n, c.repeat_minutes, now);
        if (due === null) continue;
        kind = `repeated-${due}`;
      }
      out.push({
        id: deliveryId(n.incidentId, c.id, kind),
        orgId: n.orgId,
        channelId: c.id,
        incidentId: n.incidentId,
        kind,
      });
    }
  }
  if (out.length === 0) return [];
  await d1.batch(
    chunks(out).map((part) =>
      d1.prepare(
        `INSERT OR IGNORE INTO alert_deliveries (id, org_id, channel_id, incident_id, kind, status, attempts, created_at, updated_at)
       SELECT o.value ->> '$.id', o.value ->> '$.orgId', o.value ->> '$.channelId', o.value ->> '$.incidentId',
              CASE WHEN o.value ->> '$.kind' LIKE 'repeated-%' THEN 'repeated' ELSE o.value ->> '$.kind' END, 'queued', 0, ?1, ?1
       FROM json_each(?2) AS o WHERE EXISTS (SELECT 1 FROM alert_incidents i WHERE i.id = o.value ->> '$.incidentId')`,
        now,
        part,
      ),
    ),
  );
  return out.map((d) => ({ deliveryId: d.id }));
}

/** How long a delivery may stay `queued` before the tick sends its message again (a send that was lost). */
export const REDRIVE_AFTER_MS = 5 * 60_000;

/**
 * Most delivery messages one tick sends: a mass event (every database missing its backup) sends the rest on
 * later ticks, this many a minute, rather than tens of thousands of messages from one invocation.
 */
export const MAX_SENT_PER_TICK = 1_000;

/** Marks deliveries the tick did not send (over MAX_SENT_PER_TICK) as due for the next ticks' redrive. */
export async function deferDeliveries(d1: CountingD1, messages: DeliveryMessage[]): Promise<void> {
  await d1.batch(
    chunks(messages.map((m) => m.deliveryId)).map((part) =>
      d1.prepare(
        "UPDATE alert_deliveries SET updated_at = 0 WHERE status = 'queued' AND id IN (SELECT value FROM json_each(?1))",
        part,
      ),
    ),
  );
}

/**
 * Deliveries still `queued` well after they were written (a send that was lost), or deferred by a mass
 * event: their messages are sent (again: the consumer is idempotent by delivery id), oldest first.
 */
export async function deliveriesToRedrive(
  d1: CountingD1,
  now: number,
  limit = MAX_SENT_PER_TICK,
): Promise<DeliveryMessage[]> {
  if (limit <= 0) return [];
  const rows = await d1.all<{ id: string }>(
    d1.prepare(
      "SELECT id FROM alert_deliveries WHERE status = 'queued' AND updated_at < ?1 ORDER BY updated_at, created_at LIMIT ?2",
      now - REDRIVE_AFTER_MS,
      limit,
    ),
  );
  if (rows.length === 0) return [];
  await d1.batch(
    chunks(rows.map((r) => r.id)).map((part) =>
      d1.prepare(
        "UPDATE alert_deliveries SET updated_at = ?1 WHERE status = 'queued' AND id IN (SELECT value FROM json_each(?2))",
        now,
        part,
      ),
    ),
  );
  return rows.map((r) => ({ deliveryId: r.id }));
}

/** Sends delivery messages to the queue, 100 a call (the Queues limit per sendBatch). */
export async function enqueueDeliveries(queue: Queue<DeliveryMessage>, messages: DeliveryMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 100)
    await queue.sendBatch(messages.slice(i, i + 100).map((body) => ({ body, contentType: "json" })));
}
