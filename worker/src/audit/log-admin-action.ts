import type { ACCESS_EVENT_TYPES, CONFIG_EVENT_TYPES, EventDataOf } from "@walwarden/verifier";
import type { Env } from "../env.js";
import { appendToLog } from "../ledger/client.js";
import { newId } from "../lib/ids.js";

/** An event type that records an admin action (SPEC §7, admin actions). */
export type AdminEventType = (typeof ACCESS_EVENT_TYPES)[number] | (typeof CONFIG_EVENT_TYPES)[number];

/** One admin action: what changed, on what, by whom. */
export interface AdminAction<T extends AdminEventType> {
  type: T;
  actor: string;
  subject: string;
  data: EventDataOf<T>;
  /** Makes a one-time action idempotent (e.g. `token-revoked:<id>`): two racing calls log it once. */
  onceKey?: string;
}

/**
 * Appends an admin action to the org's log. Callers check every precondition first, call this, and only
 * then apply the change: a failed append throws, and nothing is applied (a change not in the log did not
 * happen). Without `onceKey` each call is its own event.
 */
export async function logAdminAction<T extends AdminEventType>(
  env: Env,
  orgId: string,
  action: AdminAction<T>,
): Promise<void> {
  const { onceKey, ...event } = action;
  const key = `admin:${onceKey ?? newId("act", Date.now())}`;
  await appendToLog(env, orgId, [{ key, ...event }]);
}
