import type { Env } from "../env.js";
import type { alertChannels, alertDeliveries } from "../db/schema.js";
import { newId } from "../lib/ids.js";

type ChannelRow = typeof alertChannels.$inferSelect;
type DeliveryRow = typeof alertDeliveries.$inferSelect;

/**
 * "Send test": one delivery of a test notice to the channel, through the same queue and consumer as every
 * alert (so it proves the whole path: the sealed target, the signature, the receiver). Its incident id is
 * the channel's: a test notice belongs to no incident.
 */
export async function queueTestNotice(env: Env, channel: ChannelRow, now: number): Promise<DeliveryRow> {
  const row: DeliveryRow = {
    id: `dlv.test.${channel.id}.${newId("t", now)}`,
    orgId: channel.orgId,
    channelId: channel.id,
    incidentId: channel.id,
    kind: "test",
    status: "queued",
    attempts: 0,
    lastStatus: null,
    lastError: null,
    createdAt: now,
    updatedAt: now,
    deliveredAt: null,
  };
  await env.DB.prepare(
    `INSERT INTO alert_deliveries (id, org_id, channel_id, incident_id, kind, status, attempts, created_at, updated_at)
     VALUES (?1, ?2, ?3, ?4, 'test', 'queued', 0, ?5, ?5)`,
  )
    .bind(row.id, row.orgId, row.channelId, row.incidentId, now)
    .run();
  // Without a queue (a misconfigured Worker) the delivery stays queued, and the history says so.
  await env.ALERT_QUEUE?.send({ deliveryId: row.id }, { contentType: "json" });
  return row;
}
