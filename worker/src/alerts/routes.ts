import { Hono } from "hono";
import { and, desc, eq, isNotNull, isNull, lt, or } from "drizzle-orm";
import { Id } from "@walwarden/verifier";
import {
  type Channel,
  ChannelPageSchema,
  ChannelSchema,
  CreateChannelRequestSchema,
  CreatedChannelSchema,
  type Delivery,
  DeliveryListSchema,
  DeliveryPageSchema,
  DeliveryQuerySchema,
  type Incident,
  IncidentPageSchema,
  IncidentQuerySchema,
  PageQuerySchema,
  UpdateChannelRequestSchema,
} from "@walwarden/verifier/wire";
import { logAdminAction } from "../audit/log-admin-action.js";
import { requireRole } from "../auth/middleware.js";
import { actorOf } from "../auth/principal.js";
import { dbOf } from "../db/client.js";
import { alertChannels, alertDeliveries, alertIncidents } from "../db/schema.js";
import { ApiError, notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { orgPage } from "../http/pagination.js";
import { reply } from "../http/reply.js";
import { jsonBody, param, query } from "../http/validate.js";
import { newId } from "../lib/ids.js";
import { iso } from "../lib/time.js";
import { prepareTarget } from "./channel-target.js";
import { queueTestNotice } from "./test-notice.js";

type ChannelRow = typeof alertChannels.$inferSelect;
const channelView = (r: ChannelRow): Channel => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  targetHint: r.targetHint,
  conditions: r.conditions,
  minSeverity: r.minSeverity,
  repeatMinutes: r.repeatMinutes,
  enabled: r.enabled,
  createdAt: iso(r.createdAt)!,
  updatedAt: iso(r.updatedAt)!,
});

type DeliveryRow = typeof alertDeliveries.$inferSelect;
const deliveryView = (r: DeliveryRow): Delivery => ({
  id: r.id,
  channelId: r.channelId,
  incidentId: r.incidentId,
  kind: r.kind,
  status: r.status,
  attempts: r.attempts,
  lastStatus: r.lastStatus,
  lastError: r.lastError,
  createdAt: iso(r.createdAt)!,
  updatedAt: iso(r.updatedAt)!,
  deliveredAt: iso(r.deliveredAt),
});

type IncidentRow = typeof alertIncidents.$inferSelect;
const incidentView = (r: IncidentRow): Incident => ({
  id: r.id,
  condition: r.condition,
  subject: r.subject,
  severity: r.severity,
  summary: r.summary,
  detail: r.detail,
  openedAt: iso(r.openedAt)!,
  lastSeenAt: iso(r.lastSeenAt)!,
  resolvedAt: iso(r.resolvedAt),
});

/** The log's record of a channel's values (never its target: only the target's SHA-256). */
const logged = (r: ChannelRow) => ({
  channelId: r.id,
  name: r.name,
  kind: r.kind,
  conditions: r.conditions,
  minSeverity: r.minSeverity,
  repeatMinutes: r.repeatMinutes,
  enabled: r.enabled,
  targetSha256: r.targetSha256,
});

/** A prepared target, or the API error that says why not. */
async function targetOrError(...args: Parameters<typeof prepareTarget>) {
  const t = await prepareTarget(...args);
  if (!t.ok)
    throw t.code === "bad-url"
      ? new ApiError(400, "bad-request", `invalid body: target.url: ${t.message}`)
      : new ApiError(503, "unavailable", t.message);
  return t.value;
}

/**
 * Alert channels (admins change them, anyone in the org sees them without their targets), their delivery
 * history, "send test", and the org's incidents. Every change is logged before it applies.
 */
export const alertRoutes = new Hono<AppEnv>()
  .get("/alerts", requireRole("viewer"), async (c) => {
    const q = query(c, IncidentQuerySchema);
    const filter =
      q.open === "true"
        ? isNotNull(alertIncidents.openKey)
        : q.open === "false"
          ? isNull(alertIncidents.openKey)
          : undefined;
    const page = await orgPage(
      dbOf(c.env.DB),
      alertIncidents,
      c.get("principal").orgId,
      q,
      incidentView,
      filter,
      q.subject ? eq(alertIncidents.subject, q.subject) : undefined,
      q.condition ? eq(alertIncidents.condition, q.condition) : undefined,
    );
    return reply(c, IncidentPageSchema, page);
  })
  .get("/alert-channels", requireRole("viewer"), async (c) => {
    const q = query(c, PageQuerySchema);
    return reply(
      c,
      ChannelPageSchema,
      await orgPage(dbOf(c.env.DB), alertChannels, c.get("principal").orgId, q, channelView),
    );
  })
  .post("/alert-channels", requireRole("admin"), async (c) => {
    const body = await jsonBody(c, CreateChannelRequestSchema);
    const p = c.get("principal");
    const now = Date.now();
    const id = newId("ach", now);
    const target = await targetOrError(c.env, p.orgId, id, body.target);
    const row: ChannelRow = {
      id,
      orgId: p.orgId,
      name: body.name,
      kind: body.target.kind,
      conditions: body.conditions,
      minSeverity: body.minSeverity,
      repeatMinutes: body.repeatMinutes,
      enabled: body.enabled,
      sealedTarget: target.sealed,
      targetSha256: target.sha256,
      targetHint: target.hint,
      createdAt: now,
      updatedAt: now,
    };
    await logAdminAction(c.env, p.orgId, {
      type: "alert.channel_created",
      actor: actorOf(p),
      subject: `channel:${id}`,
      data: logged(row),
      onceKey: `channel-created:${id}`,
    });
    await dbOf(c.env.DB).insert(alertChannels).values(row);
    return reply(c, CreatedChannelSchema, { ...channelView(row), webhookSecret: target.webhookSecret }, 201);
  })
  .get("/alert-channels/:id", requireRole("viewer"), async (c) => {
    const row = await channelOf(c.env.DB, c.get("principal").orgId, param(c, "id", Id));
    return reply(c, ChannelSchema, channelView(row));
  })
  .patch("/alert-channels/:id", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const body = await jsonBody(c, UpdateChannelRequestSchema);
    const p = c.get("principal");
    const row = await channelOf(c.env.DB, p.orgId, id);
    const target = body.target ? await targetOrError(c.env, p.orgId, id, body.target) : undefined;
    const next: ChannelRow = {
      ...row,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.conditions !== undefined ? { conditions: body.conditions } : {}),
      ...(body.minSeverity !== undefined ? { minSeverity: body.minSeverity } : {}),
      ...(body.repeatMinutes !== undefined ? { repeatMinutes: body.repeatMinutes } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      ...(target && body.target
        ? { kind: body.target.kind, sealedTarget: target.sealed, targetSha256: target.sha256, targetHint: target.hint }
        : {}),
      updatedAt: Date.now(),
    };
    await logAdminAction(c.env, p.orgId, {
      type: "alert.channel_updated",
      actor: actorOf(p),
      subject: `channel:${id}`,
      data: logged(next),
    });
    // Only if nobody changed it meanwhile (its updatedAt is the one read): a lost race is a 409, not a silent overwrite.
    const updated = await dbOf(c.env.DB)
      .update(alertChannels)
      .set(next)
      .where(
        and(eq(alertChannels.id, id), eq(alertChannels.orgId, p.orgId), eq(alertChannels.updatedAt, row.updatedAt)),
      )
      .returning({ id: alertChannels.id });
    if (updated.length === 0)
      throw new ApiError(409, "conflict", "the channel changed meanwhile: read it and try again");
    return reply(c, CreatedChannelSchema, { ...channelView(next), webhookSecret: target?.webhookSecret ?? null });
  })
  .delete("/alert-channels/:id", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const p = c.get("principal");
    const row = await channelOf(c.env.DB, p.orgId, id);
    await logAdminAction(c.env, p.orgId, {
      type: "alert.channel_deleted",
      actor: actorOf(p),
      subject: `channel:${id}`,
      data: { channelId: id, name: row.name, kind: row.kind },
      onceKey: `channel-deleted:${id}`,
    });
    await dbOf(c.env.DB)
      .delete(alertChannels)
      .where(and(eq(alertChannels.id, id), eq(alertChannels.orgId, p.orgId)));
    return c.body(null, 204);
  })
  .get("/alert-channels/:id/deliveries", requireRole("viewer"), async (c) => {
    const id = param(c, "id", Id);
    const q = query(c, DeliveryQuerySchema);
    const orgId = c.get("principal").orgId;
    await channelOf(c.env.DB, orgId, id);
    const [at, after] = q.cursor ? splitCursor(q.cursor) : [undefined, undefined];
    const rows = await dbOf(c.env.DB)
      .select()
      .from(alertDeliveries)
      .where(
        and(
          eq(alertDeliveries.orgId, orgId),
          eq(alertDeliveries.channelId, id),
          at === undefined
            ? undefined
            : or(
                lt(alertDeliveries.createdAt, at),
                and(eq(alertDeliveries.createdAt, at), lt(alertDeliveries.id, after)),
              ),
        ),
      )
      .orderBy(desc(alertDeliveries.createdAt), desc(alertDeliveries.id))
      .limit(q.limit + 1);
    const items = rows.slice(0, q.limit);
    const last = items.at(-1);
    const nextCursor = rows.length > q.limit && last ? `${last.createdAt}:${last.id}` : null;
    return reply(c, DeliveryPageSchema, { items: items.map(deliveryView), nextCursor });
  })
  .post("/alert-channels/:id/test", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const p = c.get("principal");
    const row = await channelOf(c.env.DB, p.orgId, id);
    const delivery = await queueTestNotice(c.env, row, Date.now());
    return reply(c, DeliveryListSchema, { items: [deliveryView(delivery)] }, 202);
  });

/** A deliveries cursor's (createdAt, id); the schema has checked its shape. */
function splitCursor(cursor: string): [number, string] {
  const colon = cursor.indexOf(":");
  return [Number(cursor.slice(0, colon)), cursor.slice(colon + 1)];
}

/** One of the org's channels, or 404. */
async function channelOf(d1: D1Database, orgId: string, id: string): Promise<ChannelRow> {
  const row = await dbOf(d1).query.alertChannels.findFirst({
    where: and(eq(alertChannels.id, id), eq(alertChannels.orgId, orgId)),
  });
  if (!row) throw notFound("alert channel");
  return row;
}
