import { Hono } from "hono";
import { and, eq, isNull } from "drizzle-orm";
import { Id } from "@walwarden/verifier";
import {
  CreateDatabaseRequestSchema,
  DatabasePageSchema,
  DatabaseSchema,
  PageQuerySchema,
  QueuedBackupSchema,
  UpdateDatabaseRequestSchema,
  type Database,
} from "@walwarden/verifier/wire";
import { actorOf } from "../auth/principal.js";
import { logAdminAction } from "../audit/log-admin-action.js";
import { requireRole } from "../auth/middleware.js";
import { dbOf, type Db } from "../db/client.js";
import { databases, schedules } from "../db/schema.js";
import { notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { orgPage } from "../http/pagination.js";
import { reply } from "../http/reply.js";
import { jsonBody, param, query } from "../http/validate.js";
import { enqueueManualBackup } from "../jobs/enqueue.js";
import { policyOf, policyRemovedKey } from "../drills/policy.js";
import { newId } from "../lib/ids.js";
import { retentionPolicyOf, retentionRemovedKey } from "../retention/policy.js";
import { withdrawQueuedPrunes } from "../retention/withdraw.js";
import { iso } from "../lib/time.js";

type DatabaseRow = typeof databases.$inferSelect;
const view = (d: DatabaseRow): Database => ({
  id: d.id,
  name: d.name,
  provider: d.provider,
  createdAt: iso(d.createdAt),
  updatedAt: iso(d.updatedAt),
});

/** A live (not deleted) database of the org, or a 404. */
export async function findDatabase(db: Db, orgId: string, id: string): Promise<DatabaseRow> {
  const row = await db.query.databases.findFirst({
    where: and(eq(databases.id, id), eq(databases.orgId, orgId), isNull(databases.deletedAt)),
  });
  if (!row) throw notFound("database");
  return row;
}

/**
 * Databases to back up: a name and a provider hint, never a connection string. Deleting one keeps its
 * backups, drills and log (history is evidence) and removes its schedules, its drill policy and its
 * retention policy, withdrawing a queued prune: deleting a database deletes no object.
 */
export const databaseRoutes = new Hono<AppEnv>()
  .get("/", requireRole("viewer"), async (c) => {
    const q = query(c, PageQuerySchema);
    return reply(
      c,
      DatabasePageSchema,
      await orgPage(dbOf(c.env.DB), databases, c.get("principal").orgId, q, view, isNull(databases.deletedAt)),
    );
  })
  .get("/:id", requireRole("viewer"), async (c) =>
    reply(c, DatabaseSchema, view(await findDatabase(dbOf(c.env.DB), c.get("principal").orgId, param(c, "id", Id)))),
  )
  .post("/", requireRole("admin"), async (c) => {
    const body = await jsonBody(c, CreateDatabaseRequestSchema);
    const now = Date.now();
    const p = c.get("principal");
    const row = {
      id: newId("db", now),
      orgId: p.orgId,
      name: body.name,
      provider: body.provider,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    await logAdminAction(c.env, p.orgId, {
      type: "database.created",
      actor: actorOf(p),
      subject: `database:${row.id}`,
      data: { databaseId: row.id, name: row.name, provider: row.provider },
      onceKey: `database-created:${row.id}`,
    });
    await dbOf(c.env.DB).insert(databases).values(row);
    return reply(c, DatabaseSchema, view(row), 201);
  })
  .patch("/:id", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const body = await jsonBody(c, UpdateDatabaseRequestSchema);
    const db = dbOf(c.env.DB);
    const p = c.get("principal");
    const row = await findDatabase(db, p.orgId, id);
    const next = { ...row, ...body, updatedAt: Date.now() };
    await logAdminAction(c.env, p.orgId, {
      type: "database.updated",
      actor: actorOf(p),
      subject: `database:${id}`,
      data: { databaseId: id, name: next.name, provider: next.provider },
    });
    await db
      .update(databases)
      .set({ name: next.name, provider: next.provider, updatedAt: next.updatedAt })
      .where(eq(databases.id, id));
    return reply(c, DatabaseSchema, view(next));
  })
  .delete("/:id", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const db = dbOf(c.env.DB);
    const p = c.get("principal");
    const row = await findDatabase(db, p.orgId, id);
    const removed = await db.select({ id: schedules.id }).from(schedules).where(eq(schedules.databaseId, id));
    // Its drill policy goes with it, logged as its own removal first; its drills stay (they are evidence).
    const policy = await policyOf(db, p.orgId, id);
    if (policy)
      await logAdminAction(c.env, p.orgId, {
        type: "drill.policy_removed",
        actor: actorOf(p),
        subject: `database:${id}`,
        data: { databaseId: id },
        onceKey: policyRemovedKey(policy),
      });
    const retention = await retentionPolicyOf(c.env.DB, p.orgId, id);
    if (retention)
      await logAdminAction(c.env, p.orgId, {
        type: "retention.policy_removed",
        actor: actorOf(p),
        subject: `database:${id}`,
        data: { databaseId: id },
        onceKey: retentionRemovedKey(retention),
      });
    await logAdminAction(c.env, p.orgId, {
      type: "database.deleted",
      actor: actorOf(p),
      subject: `database:${id}`,
      data: { databaseId: id, name: row.name, schedulesRemoved: removed.map((s) => s.id) },
      onceKey: `database-deleted:${id}`,
    });
    const now = Date.now();
    const d1 = c.env.DB;
    await d1.batch([
      d1.prepare("UPDATE databases SET deleted_at = ?1, updated_at = ?1 WHERE id = ?2").bind(now, id),
      d1.prepare("DELETE FROM schedules WHERE database_id = ?1").bind(id),
      d1.prepare("DELETE FROM drill_policies WHERE database_id = ?1").bind(id),
      d1.prepare("DELETE FROM retention_policies WHERE database_id = ?1").bind(id),
      ...withdrawQueuedPrunes(d1, p.orgId, id),
    ]);
    return c.body(null, 204);
  })
  .post("/:id/backups", requireRole("operator"), async (c) => {
    const id = param(c, "id", Id);
    const p = c.get("principal");
    await findDatabase(dbOf(c.env.DB), p.orgId, id);
    const { created, ...queued } = await enqueueManualBackup(c.env, p.orgId, id, actorOf(p), Date.now());
    // 202 for a job this request queued; 200 for the one that was already waiting (nothing new queued).
    return reply(c, QueuedBackupSchema, queued, created ? 202 : 200);
  });
