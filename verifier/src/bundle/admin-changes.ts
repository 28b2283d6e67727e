import { ACCESS_EVENT_TYPES, CONFIG_EVENT_TYPES } from "../log/event-data.js";
import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { describePolicy } from "../retention/policy.js";

/** One admin action as the report lists it. */
export interface AdminChange {
  at: string;
  actor: string;
  type: string;
  subject: string;
  detail: string;
}

type AdminType = (typeof ACCESS_EVENT_TYPES)[number] | (typeof CONFIG_EVENT_TYPES)[number];
type AdminEntry = { [T in AdminType]: LogEntryOf<T> }[AdminType];

const ACCESS = new Set<string>(ACCESS_EVENT_TYPES);
const CONFIG = new Set<string>(CONFIG_EVENT_TYPES);

/** What an admin action changed, in words an auditor reads (the data's identifiers, never secrets). */
function detailOf(e: AdminEntry): string {
  switch (e.type) {
    case "user.created":
    case "user.removed":
      return `${e.data.email} (${e.data.role})`;
    case "user.role_changed":
      return `${e.data.email}: ${e.data.previousRole} → ${e.data.role}`;
    case "token.created":
    case "token.revoked":
      return `"${e.data.name}" (${e.data.role})`;
    case "runner.registered":
    case "runner.revoked":
      return `"${e.data.name}"`;
    case "bucket.credential_set":
      return `${e.data.bucket} in ${e.data.region}${e.data.replaced ? ", replacing the previous key" : ""}`;
    case "bucket.credential_removed":
      return e.data.bucket;
    case "database.created":
    case "database.updated":
      return `"${e.data.name}" (${e.data.provider})`;
    case "database.deleted":
      return `"${e.data.name}", ${e.data.schedulesRemoved.length} schedule(s) removed`;
    case "schedule.created":
    case "schedule.updated":
      return `${e.data.databaseId}: ${e.data.cron} ${e.data.timezone}, RPO ${e.data.targetRpoMinutes} min, ${e.data.enabled ? "enabled" : "disabled"}`;
    case "schedule.deleted":
      return e.data.databaseId;
    case "runner.key_registered":
      return e.data.vkey;
    case "runner.key_rotated":
      return `${e.data.previousVkey} → ${e.data.vkey}`;
    case "drill.policy_set":
      return `${e.data.databaseId}: ${e.data.cron} ${e.data.timezone}, ${e.data.target} target, ${e.data.assertions.length} assertion(s), ${e.data.enabled ? "enabled" : "disabled"}`;
    case "drill.policy_removed":
    case "retention.policy_removed":
      return e.data.databaseId;
    case "retention.policy_set":
      return `${e.data.databaseId}: keep ${describePolicy(e.data.policy)}`;
    case "alert.channel_created":
    case "alert.channel_updated":
      return `"${e.data.name}" (${e.data.kind}): ${e.data.conditions.length === 0 ? "every condition" : e.data.conditions.join(", ")}, ${e.data.minSeverity} and above, ${e.data.enabled ? "enabled" : "disabled"}`;
    case "alert.channel_deleted":
      return `"${e.data.name}" (${e.data.kind})`;
    case "witness.added":
      return `${e.data.vkey}${e.data.replaced ? ", replacing its URL or key" : ""}`;
    case "witness.removed":
      return e.data.vkey;
  }
}

/** The period's access changes (users, roles, tokens, runners, bucket credentials) and configuration changes (databases, schedules), in log order. */
export function adminChanges(entries: LogEntry[]): { access: AdminChange[]; config: AdminChange[] } {
  const access: AdminChange[] = [];
  const config: AdminChange[] = [];
  for (const e of entries) {
    const into = ACCESS.has(e.type) ? access : CONFIG.has(e.type) ? config : undefined;
    if (!into) continue;
    const admin = e as AdminEntry;
    into.push({ at: e.at, actor: e.actor, type: e.type, subject: e.subject, detail: detailOf(admin) });
  }
  return { access, config };
}
