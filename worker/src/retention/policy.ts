import { lockDaysFor, RETENTION_PERIODS, type RetentionPolicy } from "@walwarden/verifier";
import type { RetentionPolicyRequest, RetentionPolicyResponseSchema } from "@walwarden/verifier/wire";
import type { z } from "zod";
import { iso } from "../lib/time.js";

/** A retention_policies row as D1 returns it. */
export interface RetentionPolicyRow {
  database_id: string;
  org_id: string;
  /** JSON: the normalised policy. */
  policy: string;
  decide_after: number;
  created_at: number;
  updated_at: number;
}

/** The wire's RetentionPolicyResponse. */
export type RetentionPolicyView = z.infer<typeof RetentionPolicyResponseSchema>;

/**
 * A policy as it is stored and logged: the rules that are on (a count or minimum age of 0 is a rule that is
 * off, left out), and the zone by its canonical name, so one policy has one form in the log.
 */
export function normalisePolicy(p: RetentionPolicyRequest): RetentionPolicy {
  const out: Partial<RetentionPolicy> = {};
  if ((p.keepLast ?? 0) > 0) out.keepLast = p.keepLast;
  for (const period of RETENTION_PERIODS) if ((p[period] ?? 0) > 0) out[period] = p[period];
  if ((p.minAgeDays ?? 0) > 0) out.minAgeDays = p.minAgeDays;
  return { ...out, timezone: new Intl.DateTimeFormat("en", { timeZone: p.timezone }).resolvedOptions().timeZone };
}

/** A stored policy's JSON, read back (it was normalised before it was stored). */
export const storedPolicy = (json: string): RetentionPolicy => JSON.parse(json) as RetentionPolicy;

/** The policy as GET and PUT answer it, with the lock days it asks new objects for. */
export const policyView = (
  r: Pick<RetentionPolicyRow, "database_id" | "policy" | "updated_at">,
): RetentionPolicyView => {
  const policy = storedPolicy(r.policy);
  return { databaseId: r.database_id, policy, lockDays: lockDaysFor(policy), updatedAt: iso(r.updated_at) };
};

/** The database's retention policy row, if it has one. */
export async function retentionPolicyOf(
  db: D1Database,
  orgId: string,
  databaseId: string,
): Promise<RetentionPolicyRow | null> {
  return db
    .prepare("SELECT * FROM retention_policies WHERE database_id = ?1 AND org_id = ?2")
    .bind(databaseId, orgId)
    .first<RetentionPolicyRow>();
}

/** The idempotency key of removing one policy (its database and creation): racing removals log once. */
export const retentionRemovedKey = (r: Pick<RetentionPolicyRow, "database_id" | "created_at">) =>
  `retention-policy-removed:${r.database_id}:${r.created_at}`;

/** The Object Lock days a backup of a database with this stored policy asks for (null: none, or keepLast only). */
export const minLockDaysOf = (policyJson: string | null | undefined): number | null =>
  policyJson ? lockDaysFor(storedPolicy(policyJson)) : null;
