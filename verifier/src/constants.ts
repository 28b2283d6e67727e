// The verifier's light entry (`@walwarden/verifier/constants`): the lists a user interface needs to show a
// log or a restore (event types, restore states, alert conditions and severities) without zod's schemas,
// which are most of the verifier's weight. The dashboard imports this into its main bundle and loads the
// verifier itself only on the screens that verify. Nothing here may import zod (web/build.mjs checks that
// the dashboard's main bundle holds none).
import type { EventType } from "./log/event-data.js";

export { RESTORE_STATES, TERMINAL_STATES, type RestoreState } from "./log/restore-state.js";
export {
  ALERT_CONDITIONS,
  ALERT_SEVERITIES,
  CHANNEL_KINDS,
  CONDITION_SEVERITY,
  type AlertCondition,
  type AlertSeverity,
  type ChannelKind,
} from "./alert/conditions.js";
export type { EventType } from "./log/event-data.js";

/**
 * Every event type the log may contain, in SPEC order: the keys of `EventData` (log/event-data.ts), listed
 * here because that object is built of zod schemas. Adding an event type there and not here fails the
 * typecheck below and constants.test.ts.
 */
export const EVENT_TYPES = [
  "backup.scheduled",
  "backup.started",
  "backup.completed",
  "backup.failed",
  "restore.token_issued",
  "restore.claim_rejected",
  "restore.claimed",
  "restore.downloading",
  "restore.verifying",
  "restore.restoring",
  "restore.completed",
  "restore.failed",
  "restore.expired",
  "restore.cancelled",
  "key.registered",
  "key.rotated",
  "evidence.exported",
  "user.created",
  "user.role_changed",
  "user.removed",
  "token.created",
  "token.revoked",
  "runner.registered",
  "runner.revoked",
  "runner.key_registered",
  "runner.key_rotated",
  "bucket.credential_set",
  "bucket.credential_removed",
  "database.created",
  "database.updated",
  "database.deleted",
  "schedule.created",
  "schedule.updated",
  "schedule.deleted",
  "drill.policy_set",
  "drill.policy_removed",
  "drill.scheduled",
  "drill.completed",
  "drill.failed",
  "retention.policy_set",
  "retention.policy_removed",
  "backup.expired",
  "backup.expiry_blocked",
  "witness.refused",
  "bucket.posture",
  "alert.opened",
  "alert.resolved",
  "alert.channel_created",
  "alert.channel_updated",
  "alert.channel_deleted",
  "witness.added",
  "witness.removed",
] as const satisfies readonly EventType[];

/** An event type of EventData that EVENT_TYPES lacks (never, while the list is complete). */
type Unlisted = Exclude<EventType, (typeof EVENT_TYPES)[number]>;
/** Fails to compile, naming the missing type, when EventData gains a type this list does not have. */
export const EVENT_TYPES_COMPLETE: [Unlisted] extends [never] ? true : { missing: Unlisted } = true;
