import { Hono } from "hono";
import { Id } from "@walwarden/verifier";
import {
  RetentionPolicyRequestSchema,
  RetentionPolicyResponseSchema,
  RetentionStateSchema,
} from "@walwarden/verifier/wire";
import { logAdminAction } from "../audit/log-admin-action.js";
import { requireRole } from "../auth/middleware.js";
import { actorOf } from "../auth/principal.js";
import { dbOf } from "../db/client.js";
import { notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { reply } from "../http/reply.js";
import { jsonBody, param } from "../http/validate.js";
import { ledgerOf, unwrapLedger } from "../ledger/client.js";
import { normalisePolicy, policyView, retentionPolicyOf, retentionRemovedKey } from "../retention/policy.js";
import { retentionState } from "../retention/state.js";
import { withdrawQueuedPrunes } from "../retention/withdraw.js";
import { findDatabase } from "./databases.js";

/**
 * A database's retention policy (viewers read it, admins set and remove it; SPEC §12) and its retention
 * now. Under /v1/databases/:id, beside the database routes; a deleted database, or one of another org, is a
 * 404 on every one. Every change is logged before it applies, and withdraws the database's queued prune.
 */
export const databaseRetentionRoutes = new Hono<AppEnv>()
  .get("/:id/retention-policy", requireRole("viewer"), async (c) => {
    const id = param(c, "id", Id);
    const orgId = c.get("principal").orgId;
    await findDatabase(dbOf(c.env.DB), orgId, id);
    const row = await retentionPolicyOf(c.env.DB, orgId, id);
    if (!row) throw notFound("retention policy");
    return reply(c, RetentionPolicyResponseSchema, policyView(row));
  })
  .put("/:id/retention-policy", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const body = await jsonBody(c, RetentionPolicyRequestSchema);
    const p = c.get("principal");
    await findDatabase(dbOf(c.env.DB), p.orgId, id);
    const policy = normalisePolicy(body);
    const existing = await retentionPolicyOf(c.env.DB, p.orgId, id);
    const now = Date.now();
    // Only grows: the cron tick queues a prune only while the policy it decided with is still stored.
    const updatedAt = Math.max(now, (existing?.updated_at ?? 0) + 1);
    await logAdminAction(c.env, p.orgId, {
      type: "retention.policy_set",
      actor: actorOf(p),
      subject: `database:${id}`,
      data: { databaseId: id, policy },
    });
    const json = JSON.stringify(policy);
    await c.env.DB.batch([
      c.env.DB.prepare(
        `INSERT INTO retention_policies (database_id, org_id, policy, decide_after, created_at, updated_at)
         VALUES (?1, ?2, ?3, 0, ?4, ?4)
         ON CONFLICT (database_id) DO UPDATE SET policy = ?3, decide_after = 0, updated_at = ?4`,
      ).bind(id, p.orgId, json, updatedAt),
      ...withdrawQueuedPrunes(c.env.DB, p.orgId, id),
    ]);
    return reply(
      c,
      RetentionPolicyResponseSchema,
      policyView({ database_id: id, policy: json, updated_at: updatedAt }),
    );
  })
  .delete("/:id/retention-policy", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const p = c.get("principal");
    await findDatabase(dbOf(c.env.DB), p.orgId, id);
    const row = await retentionPolicyOf(c.env.DB, p.orgId, id);
    if (!row) throw notFound("retention policy");
    await logAdminAction(c.env, p.orgId, {
      type: "retention.policy_removed",
      actor: actorOf(p),
      subject: `database:${id}`,
      data: { databaseId: id },
      onceKey: retentionRemovedKey(row),
    });
    await c.env.DB.batch([
      c.env.DB.prepare("DELETE FROM retention_policies WHERE database_id = ?1 AND created_at = ?2").bind(
        id,
        row.created_at,
      ),
      ...withdrawQueuedPrunes(c.env.DB, p.orgId, id),
    ]);
    return c.body(null, 204);
  })
  .get("/:id/retention", requireRole("viewer"), async (c) => {
    const id = param(c, "id", Id);
    const orgId = c.get("principal").orgId;
    await findDatabase(dbOf(c.env.DB), orgId, id);
    // Every backup.completed entry in D1's copy first: the decision reads each backup's instant there.
    unwrapLedger(await ledgerOf(c.env, orgId).syncMirror(orgId));
    return reply(c, RetentionStateSchema, await retentionState(c.env.DB, orgId, id, Date.now()));
  });
