// Alerts in words a person reads at a glance: severities, conditions, the banner's line, where an incident's
// subject lives, databases ordered by their worst open alert, and a channel form's changes as a PATCH. Pure
// (types only from the verifier, so the shell's banner loads without the verifier chunk).
import type { AlertCondition, AlertSeverity, ChannelKind } from "@walwarden/verifier";
import type { Channel, ChannelTargetRequest, Incident, UpdateChannelRequest } from "@walwarden/verifier/wire";
import { formatDuration } from "./format.js";

/** GET /v1/alerts: a page of incidents, newest first. */
export interface IncidentPage {
  items: Incident[];
  nextCursor: string | null;
}

/** Severities in words; the colour and symbol only repeat them. */
export const SEVERITY_WORDS: Record<AlertSeverity, string> = { critical: "Critical", warning: "Warning", info: "Info" };

/** Most severe first: the order the banner, the alerts screen and the databases list use. */
export const SEVERITY_RANK: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Every condition in words. A Record over the wire's type, so adding a condition to ALERT_CONDITIONS
 * fails the typecheck until it has words here (and alerts.test.ts checks the order against the verifier's
 * list); the channel form's checkboxes come from it, which keeps the verifier's chunk out of the form.
 */
export const CONDITION_WORDS: Record<AlertCondition, string> = {
  "backup.failed": "Backup failed",
  "backup.missed": "Backup missed",
  "rpo.breached": "RPO breached",
  "drill.failed": "Drill failed",
  "drill.overdue": "Drill overdue",
  "runner.silent": "Runner silent",
  "job.stuck": "Job stuck",
  "bucket.at_risk": "Bucket at risk",
  "key.rotated": "Key rotated",
  "witness.refused": "Witness refused",
  "restore.issued": "Restore issued",
  "restore.completed": "Restore completed",
  "restore.failed": "Restore failed",
};
/** The conditions in the verifier's order. */
export const CONDITIONS = Object.keys(CONDITION_WORDS) as AlertCondition[];

/** The kinds of channel in words. */
export const KIND_WORDS: Record<ChannelKind, string> = { webhook: "Webhook", slack: "Slack", email: "Email" };

/** Incidents most severe first; among equals the API's order (newest first) stays. */
export function bySeverity(incidents: readonly Incident[]): Incident[] {
  return [...incidents].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}

/** What the banner says for the open incidents: its role (alert for a critical one), the count and the worst one; null when none. */
export function bannerFor(
  open: readonly Incident[],
): { role: "alert" | "status"; count: string; worst: Incident } | null {
  const worst = bySeverity(open)[0];
  if (!worst) return null;
  return {
    role: worst.severity === "critical" ? "alert" : "status",
    count: `${open.length} open alert${open.length === 1 ? "" : "s"}`,
    worst,
  };
}

/** An incident's subject ("database:db_…") as its kind and id. */
export function parseSubject(subject: string): { kind: string; id: string } {
  const at = subject.indexOf(":");
  return at < 0 ? { kind: "", id: subject } : { kind: subject.slice(0, at), id: subject.slice(at + 1) };
}

/** Where the dashboard shows an incident's subject, if it has a screen. */
export function subjectPath(subject: string): string | null {
  const { kind, id } = parseSubject(subject);
  if (kind === "database") return `/databases/${encodeURIComponent(id)}`;
  if (kind === "restore") return `/restores/${encodeURIComponent(id)}`;
  if (kind === "runner") return "/runners";
  if (kind === "bucket") return `/runners#posture-${encodeURIComponent(id)}`; // its card in the posture panel
  return null;
}

/** Open incidents by the id of the database (or runner) they are about. */
export function openBySubject(open: readonly Incident[], kind: "database" | "runner"): Map<string, Incident[]> {
  const out = new Map<string, Incident[]>();
  for (const i of bySeverity(open)) {
    const s = parseSubject(i.subject);
    if (s.kind !== kind) continue;
    out.set(s.id, [...(out.get(s.id) ?? []), i]);
  }
  return out;
}

/** The worst severity among incidents as a rank (3: none). */
export function worstRank(incidents: readonly Incident[] | undefined): number {
  return Math.min(3, ...(incidents ?? []).map((i) => SEVERITY_RANK[i.severity]));
}

/** Databases with open critical alerts first, then warning, then the rest; by name within each. */
export function sortBySeverity<T extends { databaseId: string; name: string }>(
  databases: readonly T[],
  open: Map<string, Incident[]>,
): T[] {
  const rank = (d: T) => Math.min(2, worstRank(open.get(d.databaseId)));
  return [...databases].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, "en"));
}

/** How long a resolved incident was open, in words; an event (a key rotation, a restore) opens and resolves at once. */
export function openFor(i: Incident): string | null {
  if (!i.resolvedAt) return null;
  const ms = Date.parse(i.resolvedAt) - Date.parse(i.openedAt);
  return ms <= 0 ? "an event, notified once" : `open ${formatDuration(ms)}`;
}

/** What a channel receives, in words. */
export function routingWords(c: Pick<Channel, "conditions" | "minSeverity" | "repeatMinutes">): {
  conditions: string;
  severity: string;
  repeat: string;
} {
  return {
    conditions: c.conditions.length === 0 ? "every condition" : c.conditions.map((x) => CONDITION_WORDS[x]).join(", "),
    severity:
      c.minSeverity === "info" ? "Info and above" : c.minSeverity === "warning" ? "Warning and above" : "Critical only",
    repeat: c.repeatMinutes === null ? "once" : `every ${c.repeatMinutes} min while open`,
  };
}

/** The channel form's fields, as typed. */
export interface ChannelForm {
  name: string;
  kind: ChannelKind;
  /** The URL (webhook, Slack) or comma-separated addresses (email); empty when editing: the target stays. */
  target: string;
  conditions: AlertCondition[];
  minSeverity: AlertSeverity;
  /** Minutes as typed; empty: notify once. */
  repeat: string;
  enabled: boolean;
}

/** A new channel's form: the API's defaults (every condition, warning and above, every 240 min, enabled). */
export const EMPTY_FORM: ChannelForm = {
  name: "",
  kind: "webhook",
  target: "",
  conditions: [],
  minSeverity: "warning",
  repeat: "240",
  enabled: true,
};

/** A channel as the edit form starts: its fields, with an empty target (the API never shows it). */
export function formOf(c: Channel): ChannelForm {
  return {
    name: c.name,
    kind: c.kind,
    target: "",
    conditions: [...c.conditions],
    minSeverity: c.minSeverity,
    repeat: c.repeatMinutes === null ? "" : String(c.repeatMinutes),
    enabled: c.enabled,
  };
}

/** The form's target as the API takes it (addresses split on commas); the API judges whether it is acceptable. */
export function targetOf(f: Pick<ChannelForm, "kind" | "target">): ChannelTargetRequest {
  if (f.kind === "email")
    return {
      kind: "email",
      to: f.target
        .split(",")
        .map((a) => a.trim())
        .filter((a) => a !== ""),
    };
  return { kind: f.kind, url: f.target.trim() };
}

/** Repeat minutes as typed: null for empty; anything else as a number for the API to accept or refuse with its message. */
export function repeatOf(text: string): number | null {
  return text.trim() === "" ? null : Number(text.trim());
}

/** The body of a POST /v1/alert-channels from the form. */
export function createBody(f: ChannelForm) {
  return {
    name: f.name.trim(),
    target: targetOf(f),
    conditions: f.conditions,
    minSeverity: f.minSeverity,
    repeatMinutes: repeatOf(f.repeat),
    enabled: f.enabled,
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Only what the form changed, as a PATCH body: a target only when one was typed (or the kind changed, which
 * needs one); empty when nothing changed.
 */
export function changesOf(c: Channel, f: ChannelForm): UpdateChannelRequest {
  const out: UpdateChannelRequest = {};
  if (f.name.trim() !== c.name) out.name = f.name.trim();
  if (f.target.trim() !== "" || f.kind !== c.kind) out.target = targetOf(f);
  if (!sameSet(f.conditions, c.conditions)) out.conditions = f.conditions;
  if (f.minSeverity !== c.minSeverity) out.minSeverity = f.minSeverity;
  const repeat = repeatOf(f.repeat);
  if (repeat !== c.repeatMinutes) out.repeatMinutes = repeat;
  if (f.enabled !== c.enabled) out.enabled = f.enabled;
  return out;
}
