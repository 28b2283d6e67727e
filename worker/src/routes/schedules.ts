import { Hono } from "hono";
import { and, eq } from "drizzle-orm";
import { Id } from "@walwarden/verifier";
import {
  CreateScheduleRequestSchema,
  ListSchedulesQuerySchema,
  SchedulePageSchema,
  ScheduleSchema,
  UpdateScheduleRequestSchema,
  type Schedule,
} from "@walwarden/verifier/wire";
import { logAdminAction } from "../audit/log-admin-action.js";
import { requireRole } from "../auth/middleware.js";
import { actorOf } from "../auth/principal.js";
import { dbOf, type Db } from "../db/client.js";
import { schedules } from "../db/schema.js";
import { ApiError, notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { orgPage } from "../http/pagination.js";
import { reply } from "../http/reply.js";
import { jsonBody, param, query } from "../http/validate.js";
import { newId } from "../lib/ids.js";
import { iso } from "../lib/time.js";
import { nextSlotAfter, parseCron } from "../scheduling/cron.js";
import { findDatabase } from "./databases.js";

type ScheduleRow = typeof schedules.$inferSelect;
const view = (s: ScheduleRow): Schedule => ({
  id: s.id,
  databaseId: s.databaseId,
  cron: s.cron,
  timezone: s.timezone,
  targetRpoMinutes: s.targetRpoMinutes,
  enabled: s.enabled,
  nextRunAt: iso(s.nextRunAt),
  createdAt: iso(s.createdAt),
  updatedAt: iso(s.updatedAt),
});

/** The first slot after now, or a 400 that says what is wrong with the expression. */
function firstSlot(cron: string, timezone: string, now: number): number {
  const parsed = parseCron(cron, timezone);
  if (!parsed.ok) throw new ApiError(400, "bad-request", `invalid body: cron: ${parsed.message}`);
  return nextSlotAfter(parsed.value, now)!;
}

async function findSchedule(db: Db, orgId: string, id: string): Promise<ScheduleRow> {
  const row = await db.query.schedules.findFirst({ where: and(eq(schedules.id, id), eq(schedules.orgId, orgId)) });
  if (!row) throw notFound("schedule");
  return row;
}

/** A schedule's logged values (SPEC §7, `schedule.*`). */
const logged = (s: ScheduleRow) => ({
  scheduleId: s.id,
  databaseId: s.databaseId,
  cron: s.cron,
  timezone: s.timezone,
  targetRpoMinutes: s.targetRpoMinutes,
  enabled: s.enabled,
});

/** Backup schedules: a cron expression (croner) in a time zone and a target RPO (retention is the database's policy). */
export const scheduleRoutes = new Hono<AppEnv>()
  .get("/", requireRole("viewer"), async (c) => {
    const q = query(c, ListSchedulesQuerySchema);
    return reply(
      c,
      SchedulePageSchema,
      await orgPage(
        dbOf(c.env.DB),
        schedules,
        c.get("principal").orgId,
        q,
        view,
        q.databaseId ? eq(schedules.databaseId, q.databaseId) : undefined,
      ),
    );
  })
  .get("/:id", requireRole("viewer"), async (c) =>
    reply(c, ScheduleSchema, view(await findSchedule(dbOf(c.env.DB), c.get("principal").orgId, param(c, "id", Id)))),
  )
  .post("/", requireRole("admin"), async (c) => {
    const body = await jsonBody(c, CreateScheduleRequestSchema);
    const db = dbOf(c.env.DB);
    const orgId = c.get("principal").orgId;
    await findDatabase(db, orgId, body.databaseId);
    const now = Date.now();
    const nextRunAt = firstSlot(body.cron, body.timezone, now);
    const row: ScheduleRow = {
      id: newId("sch", now),
      orgId,
      ...body,
      nextRunAt: body.enabled ? nextRunAt : null,
      createdAt: now,
      updatedAt: now,
    };
    await logAdminAction(c.env, orgId, {
      type: "schedule.created",
      actor: actorOf(c.get("principal")),
      subject: `schedule:${row.id}`,
      data: logged(row),
      onceKey: `schedule-created:${row.id}`,
    });
    await db.insert(schedules).values(row);
    return reply(c, ScheduleSchema, view(row), 201);
  })
  .patch("/:id", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const body = await jsonBody(c, UpdateScheduleRequestSchema);
    const db = dbOf(c.env.DB);
    const p = c.get("principal");
    const row = await findSchedule(db, p.orgId, id);
    const now = Date.now();
    const next = { ...row, ...body, updatedAt: now };
    const timingChanged = body.cron !== undefined || body.timezone !== undefined || body.enabled !== undefined;
    if (timingChanged) next.nextRunAt = next.enabled ? firstSlot(next.cron, next.timezone, now) : null;
    await logAdminAction(c.env, p.orgId, {
      type: "schedule.updated",
      actor: actorOf(p),
      subject: `schedule:${id}`,
      data: logged(next),
    });
    await db
      .update(schedules)
      .set({
        cron: next.cron,
        timezone: next.timezone,
        targetRpoMinutes: next.targetRpoMinutes,
        enabled: next.enabled,
        nextRunAt: next.nextRunAt,
        updatedAt: now,
      })
      .where(eq(schedules.id, id));
    return reply(c, ScheduleSchema, view(next));
  })
  .delete("/:id", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const db = dbOf(c.env.DB);
    const p = c.get("principal");
    const row = await findSchedule(db, p.orgId, id);
    await logAdminAction(c.env, p.orgId, {
      type: "schedule.deleted",
      actor: actorOf(p),
      subject: `schedule:${id}`,
      data: { scheduleId: id, databaseId: row.databaseId },
      onceKey: `schedule-deleted:${id}`,
    });
    await db.delete(schedules).where(eq(schedules.id, id));
    return c.body(null, 204);
  });
