import { Hono } from "hono";
import { and, eq, isNull } from "drizzle-orm";
import { Id } from "@walwarden/verifier";
import {
  CreatedRunnerSchema,
  CreateRunnerRequestSchema,
  PageQuerySchema,
  RunnerPageSchema,
  type Runner,
} from "@walwarden/verifier/wire";
import { logAdminAction } from "../audit/log-admin-action.js";
import { requireRole } from "../auth/middleware.js";
import { actorOf } from "../auth/principal.js";
import { dbOf } from "../db/client.js";
import { runners } from "../db/schema.js";
import { notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { orgPage } from "../http/pagination.js";
import { reply } from "../http/reply.js";
import { jsonBody, param, query } from "../http/validate.js";
import { newSecret, sha256Hex } from "../lib/crypto.js";
import { newId } from "../lib/ids.js";
import { iso } from "../lib/time.js";

type RunnerRow = typeof runners.$inferSelect;
const view = (r: RunnerRow): Runner => ({
  id: r.id,
  name: r.name,
  createdAt: iso(r.createdAt),
  lastSeenAt: iso(r.lastSeenAt),
  version: r.version,
  revokedAt: iso(r.revokedAt),
  vkey: r.vkey,
  keyRegisteredAt: iso(r.keyRegisteredAt),
});

/** Runners: anyone in the org sees them (last seen, version); admins register and revoke them. */
export const runnerAdminRoutes = new Hono<AppEnv>()
  .get("/", requireRole("viewer"), async (c) => {
    const q = query(c, PageQuerySchema);
    return reply(c, RunnerPageSchema, await orgPage(dbOf(c.env.DB), runners, c.get("principal").orgId, q, view));
  })
  .post("/", requireRole("admin"), async (c) => {
    const body = await jsonBody(c, CreateRunnerRequestSchema);
    const now = Date.now();
    const p = c.get("principal");
    const token = newSecret("wwr");
    const row = {
      id: newId("rnr", now),
      orgId: p.orgId,
      name: body.name,
      tokenSha256: await sha256Hex(token),
      createdAt: now,
      lastSeenAt: null,
      version: null,
      revokedAt: null,
      vkey: null,
      keyRegisteredAt: null,
    };
    await logAdminAction(c.env, p.orgId, {
      type: "runner.registered",
      actor: actorOf(p),
      subject: `runner:${row.id}`,
      data: { runnerId: row.id, name: row.name, tokenSha256: row.tokenSha256 },
      onceKey: `runner-registered:${row.id}`,
    });
    await dbOf(c.env.DB).insert(runners).values(row);
    return reply(c, CreatedRunnerSchema, { ...view(row), token }, 201);
  })
  .delete("/:id", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const p = c.get("principal");
    const db = dbOf(c.env.DB);
    const live = and(eq(runners.id, id), eq(runners.orgId, p.orgId), isNull(runners.revokedAt));
    const row = await db.query.runners.findFirst({ where: live });
    if (!row) throw notFound("runner");
    await logAdminAction(c.env, p.orgId, {
      type: "runner.revoked",
      actor: actorOf(p),
      subject: `runner:${id}`,
      data: { runnerId: id, name: row.name },
      onceKey: `runner-revoked:${id}`,
    });
    await db.update(runners).set({ revokedAt: Date.now() }).where(live);
    return c.body(null, 204);
  });
