import { type DrillTargetKind, type EventDataOf, sha256, toHex, utf8 } from "@walwarden/verifier";
import type { DrillPolicy } from "@walwarden/verifier/wire";
import type { Cron } from "croner";
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { drillPolicies } from "../db/schema.js";
import { iso } from "../lib/time.js";
import { nextSlotAfter } from "../scheduling/cron.js";

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

const DAY = 86_400_000;
/** How far ahead the interval of a policy is measured (a monthly or yearly cron still yields one gap). */
const INTERVAL_HORIZON = 35 * DAY;
/** Most slots looked at (a cron that runs every minute has its interval long before the horizon). */
const INTERVAL_MAX_SLOTS = 5000;

/**
 * A policy's interval: the longest gap, in seconds, between two consecutive slots of its cron over the
 * next five weeks (at least one gap, however far the second slot is), or null for a cron that never runs
 * twice. DST makes a daily cron's longest gap 25 hours; a weekday cron's is its weekend.
 */
export function intervalSeconds(cron: Cron, fromMs: number): number | null {
  let prev = nextSlotAfter(cron, fromMs);
  let longest = 0;
  for (let n = 0; prev !== null && n < INTERVAL_MAX_SLOTS; n++) {
    const next = nextSlotAfter(cron, prev);
    if (next === null) break;
    longest = Math.max(longest, next - prev);
    if (next > fromMs + INTERVAL_HORIZON) break;
    prev = next;
  }
  return longest > 0 ? Math.round(longest / 1000) : null;
}

/** The database's drill policy, if it has one. */
export async function policyOf(db: Db, orgId: string, databaseId: string): Promise<DrillPolicyRow | undefined> {
  return db.query.drillPolicies.findFirst({
    where: and(eq(drillPolicies.databaseId, databaseId), eq(drillPolicies.orgId, orgId)),
  });
}

/** The idempotency key of removing one policy (its database and creation): racing removals log once. */
export const policyRemovedKey = (p: DrillPolicyRow) => `drill-policy-removed:${p.databaseId}:${p.createdAt}`;
