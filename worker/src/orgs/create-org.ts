import type { Env } from "../env.js";
import { appendToLog } from "../ledger/client.js";
import { newId } from "../lib/ids.js";
import { hashPassword } from "../lib/password.js";

/** A new org with its first admin. */
export interface NewOrg {
  orgId: string;
  userId: string;
}

/**
 * Creates an org and its admin in one D1 transaction and starts the org's log (its signing keys
 * registered). With `onlyIfNoAdmin` (the first-run bootstrap) it creates nothing, and returns null, if
 * any admin exists anywhere: the check and both inserts are one batch, so two racing calls cannot both win.
 */
export async function createOrgWithAdmin(
  env: Env,
  input: { orgName: string; email: string; password: string },
  options: { onlyIfNoAdmin: boolean },
): Promise<NewOrg | null> {
  const now = Date.now();
  const orgId = newId("org", now);
  const userId = newId("usr", now);
  const passwordHash = await hashPassword(input.password);
  const guard = options.onlyIfNoAdmin ? "NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin')" : "1";
  const [org] = await env.DB.batch([
    env.DB.prepare(`INSERT INTO orgs (id, name, created_at) SELECT ?, ?, ? WHERE ${guard}`).bind(
      orgId,
      input.orgName,
      now,
    ),
    env.DB.prepare(
      `INSERT INTO users (id, org_id, email, password_hash, role, created_at) SELECT ?, ?, ?, ?, 'admin', ? WHERE EXISTS (SELECT 1 FROM orgs WHERE id = ?) AND ${guard}`,
    ).bind(userId, orgId, input.email, passwordHash, now, orgId),
  ]);
  if (!org?.meta.changes) return null;
  // The org's log starts with its signing keys and the first admin (no D1 row exists for it to race).
  await appendToLog(env, orgId, [
    {
      key: `admin:user-created:${userId}`,
      type: "user.created",
      actor: options.onlyIfNoAdmin ? "system:bootstrap" : "system:create-org",
      subject: `user:${userId}`,
      data: { userId, email: input.email, role: "admin" },
    },
  ]);
  return { orgId, userId };
}
