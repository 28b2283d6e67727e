import { Hono } from "hono";
import { and, eq, isNull } from "drizzle-orm";
import { Id } from "@walwarden/verifier";
import {
  ApiTokenPageSchema,
  CreatedApiTokenSchema,
  CreateTokenRequestSchema,
  PageQuerySchema,
  type ApiToken,
} from "@walwarden/verifier/wire";
import { actorOf } from "../auth/principal.js";
import { requireRole } from "../auth/middleware.js";
import { logAdminAction } from "../audit/log-admin-action.js";
import { dbOf } from "../db/client.js";
import { apiTokens } from "../db/schema.js";
import { notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { orgPage } from "../http/pagination.js";
import { reply } from "../http/reply.js";
import { jsonBody, param, query } from "../http/validate.js";
import { newSecret, sha256Hex } from "../lib/crypto.js";
import { newId } from "../lib/ids.js";
import { iso } from "../lib/time.js";

type TokenRow = typeof apiTokens.$inferSelect;
const view = (t: TokenRow): ApiToken => ({
  id: t.id,
  name: t.name,
  role: t.role,
  createdAt: iso(t.createdAt),
  lastUsedAt: iso(t.lastUsedAt),
  revokedAt: iso(t.revokedAt),
});

/** Org API tokens (admin only): the secret is in the create answer and nowhere else, ever. */
export const tokenRoutes = new Hono<AppEnv>()
  .use(requireRole("admin"))
  .get("/", async (c) => {
    const q = query(c, PageQuerySchema);
    return reply(c, ApiTokenPageSchema, await orgPage(dbOf(c.env.DB), apiTokens, c.get("principal").orgId, q, view));
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, CreateTokenRequestSchema);
    const p = c.get("principal");
    const now = Date.now();
    const token = newSecret("wwt");
    const row = {
      id: newId("tok", now),
      orgId: p.orgId,
      name: body.name,
      role: body.role,
      tokenSha256: await sha256Hex(token),
      createdBy: actorOf(p),
      createdAt: now,
      lastUsedAt: null,
      revokedAt: null,
    };
    await logAdminAction(c.env, p.orgId, {
      type: "token.created",
      actor: actorOf(p),
      subject: `token:${row.id}`,
      data: { tokenId: row.id, name: row.name, role: row.role, tokenSha256: row.tokenSha256 },
      onceKey: `token-created:${row.id}`,
    });
    await dbOf(c.env.DB).insert(apiTokens).values(row);
    return reply(c, CreatedApiTokenSchema, { ...view(row), token }, 201);
  })
  .delete("/:id", async (c) => {
    const id = param(c, "id", Id);
    const p = c.get("principal");
    const db = dbOf(c.env.DB);
    const live = and(eq(apiTokens.id, id), eq(apiTokens.orgId, p.orgId), isNull(apiTokens.revokedAt));
    const row = await db.query.apiTokens.findFirst({ where: live });
    if (!row) throw notFound("token");
    await logAdminAction(c.env, p.orgId, {
      type: "token.revoked",
      actor: actorOf(p),
      subject: `token:${id}`,
      data: { tokenId: id, name: row.name, role: row.role },
      onceKey: `token-revoked:${id}`,
    });
    await db.update(apiTokens).set({ revokedAt: Date.now() }).where(live);
    return c.body(null, 204);
  });
