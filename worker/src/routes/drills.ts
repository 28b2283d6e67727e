import { Hono } from "hono";
import { and, eq } from "drizzle-orm";
import { Id } from "@walwarden/verifier";
import {
  DrillNowRequestSchema,
  DrillPageSchema,
  DrillPolicyRequestSchema,
  DrillPolicySchema,
  DrillSchema,
  ListDrillsQuerySchema,
  RestorabilitySchema,
} from "@walwarden/verifier/wire";
import { logAdminAction } from "../audit/log-admin-action.js";
import { requireRole } from "../auth/middleware.js";
import { actorOf } from "../auth/principal.js";
import { dbOf } from "../db/client.js";
import { drillPolicies, drills } from "../db/schema.js";
import { type DrillPolicyRow, policyLogged, policyOf, policyRemovedKey, policyView } from "../drills/policy.js";
import { enqueueManualDrill } from "../drills/queue.js";
import { restorability } from "../drills/restorability.js";
import { drillView, findDrill } from "../drills/view.js";
import { ApiError, notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { orgPage } from "../http/pagination.js";
import { reply } from "../http/reply.js";
import { jsonBody, param, query } from "../http/validate.js";
import { nextSlotAfter, parseCron } from "../scheduling/cron.js";
import { findDatabase } from "./databases.js";

/** Restore drills: every drill of the org, newest first, and one drill with its receipt. */
export const drillRoutes = new Hono<AppEnv>()
  .use(requireRole("viewer"))
  .get("/", async (c) => {
    const q = query(c, ListDrillsQuerySchema);
    return reply(
      c,
      DrillPageSchema,
      await orgPage(
        dbOf(c.env.DB),
        drills,
        c.get("principal").orgId,
        q,
        drillView,
        q.databaseId ? eq(drills.databaseId, q.databaseId) : undefined,
        q.status ? eq(drills.status, q.status) : undefined,
      ),
    );
  })
  .get("/:id", async (c) =>
    reply(c, DrillSchema, drillView(await findDrill(dbOf(c.env.DB), c.get("principal").orgId, param(c, "id", Id)))),
  );

/**
 * A database's drill policy (viewers read it, admins set and remove it), drilling it now (operators), and
 * how restorable it is. Under /v1/databases/:id, beside the database routes; a deleted database, or one of
 * another org, is a 404 on every one.
 */
export const databaseDrillRoutes = new Hono<AppEnv>()
  .get("/:id/drill-policy", requireRole("viewer"), async (c) => {
    const id = param(c, "id", Id);
    const db = dbOf(c.env.DB);
    const orgId = c.get("principal").orgId;
    await findDatabase(db, orgId, id);
    const policy = await policyOf(db, orgId, id);
    if (!policy) throw notFound("drill policy");
    return reply(c, DrillPolicySchema, policyView(policy));
  })
  .put("/:id/drill-policy", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const body = await jsonBody(c, DrillPolicyRequestSchema);
    const db = dbOf(c.env.DB);
    const p = c.get("principal");
    await findDatabase(db, p.orgId, id);
    const cron = parseCron(body.cron, body.timezone);
    if (!cron.ok) throw new ApiError(400, "bad-request", `invalid body: cron: ${cron.message}`);
    const now = Date.now();
    const existing = await policyOf(db, p.orgId, id);
    // The next slot moves only when the timing changed: an unchanged policy keeps a slot that is due.
    const sameTiming =
      existing?.cron === body.cron && existing.timezone === body.timezone && existing.enabled === body.enabled;
    const row: DrillPolicyRow = {
      databaseId: id,
      orgId: p.orgId,
      ...body,
      nextRunAt: !body.enabled ? null : sameTiming ? existing.nextRunAt : nextSlotAfter(cron.value, now),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await logAdminAction(c.env, p.orgId, {
      type: "drill.policy_set",
      actor: actorOf(p),
      subject: `database:${id}`,
      data: policyLogged(row),
    });
    const { cron: cronText, timezone, backup, target, maxRtoSeconds, assertions, enabled, nextRunAt, updatedAt } = row;
    await db
      .insert(drillPolicies)
      .values(row)
      .onConflictDoUpdate({
        target: drillPolicies.databaseId,
        set: { cron: cronText, timezone, backup, target, maxRtoSeconds, assertions, enabled, nextRunAt, updatedAt },
      });
    return reply(c, DrillPolicySchema, policyView(row));
  })
  .delete("/:id/drill-policy", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const db = dbOf(c.env.DB);
    const p = c.get("principal");
    await findDatabase(db, p.orgId, id);
    const policy = await policyOf(db, p.orgId, id);
    if (!policy) throw notFound("drill policy");
    await logAdminAction(c.env, p.orgId, {
      type: "drill.policy_removed",
      actor: actorOf(p),
      subject: `database:${id}`,
      data: { databaseId: id },
      onceKey: policyRemovedKey(policy),
    });
    await db
      .delete(drillPolicies)
      .where(and(eq(drillPolicies.databaseId, id), eq(drillPolicies.createdAt, policy.createdAt)));
    return c.body(null, 204);
  })
  .post("/:id/drills", requireRole("operator"), async (c) => {
    const id = param(c, "id", Id);
    const body = await jsonBody(c, DrillNowRequestSchema);
    const p = c.get("principal");
    await findDatabase(dbOf(c.env.DB), p.orgId, id);
    const { drill, created } = await enqueueManualDrill(c.env, p.orgId, id, actorOf(p), body.backupId, Date.now());
    // 202 for a drill this request queued; 200 for the one that was already waiting (nothing new queued).
    return reply(c, DrillSchema, drill, created ? 202 : 200);
  })
  .get("/:id/restorability", requireRole("viewer"), async (c) => {
    const id = param(c, "id", Id);
    const db = dbOf(c.env.DB);
    const orgId = c.get("principal").orgId;
    await findDatabase(db, orgId, id);
    return reply(c, RestorabilitySchema, await restorability(db, orgId, id, Date.now()));
  });
