import { type DrillTargetKind, type EventDataOf, sha256, toHex, utf8 } from "@walwarden/verifier";
import type { DrillPolicy } from "@walwarden/verifier/wire";
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { drillPolicies } from "../db/schema.js";
import { iso } from "../lib/time.js";

/** A drill_policies row. */
export type DrillPolicyRow = typeof drillPolicies.$inferSelect;

/** A policy as the API answers it (the wire's DrillPolicy). */
export const policyView = (p: DrillPolicyRow): DrillPolicy => ({
  databaseId: p.databaseId,
  cron: p.cron,
  timezone: p.timezone,
  backup: p.backup,
  target: p.target,
  maxRtoSeconds: p.maxRtoSeconds,
  assertions: p.assertions,
  enabled: p.enabled,
  createdAt: iso(p.createdAt),
  updatedAt: iso(p.updatedAt),
});

/** A policy's logged values (SPEC §7, `drill.policy_set`): each assertion's SQL only as its SHA-256. */
export const policyLogged = (p: DrillPolicyRow): EventDataOf<"drill.policy_set"> => ({
  databaseId: p.databaseId,
  cron: p.cron,
  timezone: p.timezone,
  backup: p.backup,
  target: p.target,
  maxRtoSeconds: p.maxRtoSeconds,
  assertions: p.assertions.map((a) => ({ name: a.name, sqlSha256: toHex(sha256(utf8(a.sql))), expect: a.expect })),
  enabled: p.enabled,
});

/** The target of a drill queued for a database without a policy (which has no RTO and no assertions either). */
export const DEFAULT_DRILL_TARGET: DrillTargetKind = "local";

/**
 * A policy's interval: the longest gap, in seconds, between two consecutive slots of its cron over the
 * next five weeks (the shared cron module's, which the dashboard's schedule preview uses too).
 */
export { intervalSeconds } from "../scheduling/cron.js";

/** The database's drill policy, if it has one. */
export async function policyOf(db: Db, orgId: string, databaseId: string): Promise<DrillPolicyRow | undefined> {
  return db.query.drillPolicies.findFirst({
    where: and(eq(drillPolicies.databaseId, databaseId), eq(drillPolicies.orgId, orgId)),
  });
}

/** The idempotency key of removing one policy (its database and creation): racing removals log once. */
export const policyRemovedKey = (p: DrillPolicyRow) => `drill-policy-removed:${p.databaseId}:${p.createdAt}`;
