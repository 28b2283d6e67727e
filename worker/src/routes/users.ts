import { Hono } from "hono";
import { and, eq, ne } from "drizzle-orm";
import { Id } from "@walwarden/verifier";
import {
  CreateUserRequestSchema,
  PageQuerySchema,
  UpdateUserRequestSchema,
  UserPageSchema,
  UserSchema,
  type User,
} from "@walwarden/verifier/wire";
import { logAdminAction } from "../audit/log-admin-action.js";
import { requireRole } from "../auth/middleware.js";
import { actorOf } from "../auth/principal.js";
import { dbOf, type Db } from "../db/client.js";
import { sessions, users } from "../db/schema.js";
import { ApiError, notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { orgPage } from "../http/pagination.js";
import { reply } from "../http/reply.js";
import { jsonBody, param, query } from "../http/validate.js";
import { newId } from "../lib/ids.js";
import { hashPassword } from "../lib/password.js";
import { iso } from "../lib/time.js";

type UserRow = typeof users.$inferSelect;
const view = (u: UserRow): User => ({ id: u.id, email: u.email, role: u.role, createdAt: iso(u.createdAt) });

async function otherAdmins(db: Db, orgId: string, userId: string): Promise<number> {
  return (
    await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.orgId, orgId), eq(users.role, "admin"), ne(users.id, userId)))
  ).length;
}

/** The org's dashboard users (admin only). The last admin can be neither demoted nor removed. */
export const userRoutes = new Hono<AppEnv>()
  .use(requireRole("admin"))
  .get("/", async (c) => {
    const q = query(c, PageQuerySchema);
    return reply(c, UserPageSchema, await orgPage(dbOf(c.env.DB), users, c.get("principal").orgId, q, view));
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, CreateUserRequestSchema);
    const db = dbOf(c.env.DB);
    if (await db.query.users.findFirst({ where: eq(users.email, body.email) }))
      throw new ApiError(409, "conflict", `a user with email ${body.email} exists`);
    const now = Date.now();
    const p = c.get("principal");
    const row = {
      id: newId("usr", now),
      orgId: p.orgId,
      email: body.email,
      passwordHash: await hashPassword(body.password),
      role: body.role,
      createdAt: now,
    };
    await logAdminAction(c.env, p.orgId, {
      type: "user.created",
      actor: actorOf(p),
      subject: `user:${row.id}`,
      data: { userId: row.id, email: row.email, role: row.role },
      onceKey: `user-created:${row.id}`,
    });
    await db.insert(users).values(row);
    return reply(c, UserSchema, view(row), 201);
  })
  .patch("/:id", async (c) => {
    const id = param(c, "id", Id);
    const body = await jsonBody(c, UpdateUserRequestSchema);
    const orgId = c.get("principal").orgId;
    const db = dbOf(c.env.DB);
    const user = await db.query.users.findFirst({ where: and(eq(users.id, id), eq(users.orgId, orgId)) });
    if (!user) throw notFound("user");
    if (user.role === "admin" && body.role !== "admin" && (await otherAdmins(db, orgId, id)) === 0)
      throw new ApiError(409, "conflict", "this is the org's last admin: make another admin first");
    if (body.role !== user.role)
      await logAdminAction(c.env, orgId, {
        type: "user.role_changed",
        actor: actorOf(c.get("principal")),
        subject: `user:${id}`,
        data: { userId: id, email: user.email, previousRole: user.role, role: body.role },
      });
    await db.batch([
      db.update(users).set({ role: body.role }).where(eq(users.id, id)),
      db.delete(sessions).where(eq(sessions.userId, id)),
    ]);
    return reply(c, UserSchema, view({ ...user, role: body.role }));
  })
  .delete("/:id", async (c) => {
    const id = param(c, "id", Id);
    const orgId = c.get("principal").orgId;
    const db = dbOf(c.env.DB);
    const user = await db.query.users.findFirst({ where: and(eq(users.id, id), eq(users.orgId, orgId)) });
    if (!user) throw notFound("user");
    if (user.role === "admin" && (await otherAdmins(db, orgId, id)) === 0)
      throw new ApiError(409, "conflict", "this is the org's last admin: make another admin first");
    await logAdminAction(c.env, orgId, {
      type: "user.removed",
      actor: actorOf(c.get("principal")),
      subject: `user:${id}`,
      data: { userId: id, email: user.email, role: user.role },
      onceKey: `user-removed:${id}`,
    });
    await db.batch([db.delete(sessions).where(eq(sessions.userId, id)), db.delete(users).where(eq(users.id, id))]);
    return c.body(null, 204);
  });
