import { and, desc, eq } from "drizzle-orm";
import type { Restorability } from "@walwarden/verifier/wire";
import type { Db } from "../db/client.js";
import { drillPolicies, drills } from "../db/schema.js";
import { iso } from "../lib/time.js";
import { parseCron } from "../scheduling/cron.js";
import { intervalSeconds, policyView } from "./policy.js";
import { drillView } from "./view.js";

/**
 * How restorable a database is (the wire's Restorability): with no policy `no-policy`; else `proven` if
 * its last passed drill finished within two of the policy's intervals of now, `at-risk` if that pass is
 * older or there were only failures, `never-proven` if no drill has passed or failed yet.
 */
export async function restorability(db: Db, orgId: string, databaseId: string, now: number): Promise<Restorability> {
  const ofDatabase = and(eq(drills.orgId, orgId), eq(drills.databaseId, databaseId));
  const [policies, passes, latest, failures] = await db.batch([
    db
      .select()
      .from(drillPolicies)
      .where(and(eq(drillPolicies.databaseId, databaseId), eq(drillPolicies.orgId, orgId))),
    db
      .select()
      .from(drills)
      .where(and(ofDatabase, eq(drills.status, "passed")))
      .orderBy(desc(drills.finishedAt), desc(drills.id))
      .limit(1),
    db.select().from(drills).where(ofDatabase).orderBy(desc(drills.id)).limit(1),
    db
      .select({ id: drills.id })
      .from(drills)
      .where(and(ofDatabase, eq(drills.status, "failed")))
      .limit(1),
  ]);
  const policy = policies[0];
  const lastPass = passes[0];
  const cron = policy ? parseCron(policy.cron, policy.timezone) : undefined;
  const interval = cron?.ok ? intervalSeconds(cron.value, now) : null;
  const status: Restorability["status"] = !policy
    ? "no-policy"
    : lastPass
      ? interval === null || (lastPass.finishedAt ?? 0) >= now - 2 * interval * 1000
        ? "proven"
        : "at-risk"
      : failures.length > 0
        ? "at-risk"
        : "never-proven";
  return {
    databaseId,
    status,
    policy: policy ? policyView(policy) : null,
    intervalSeconds: interval,
    lastPass: lastPass ? drillView(lastPass) : null,
    lastDrill: latest[0] ? drillView(latest[0]) : null,
    nextDrillAt: policy?.enabled ? iso(policy.nextRunAt) : null,
  };
}
