// The conditions Walwarden's Worker watches for an org, and how bad each is (SPEC §7, alert.opened). An
// incident is one condition holding for one subject: it opens once, may repeat, and resolves.

/** The conditions: states that hold until they clear, then events that are notified once. */
export const ALERT_CONDITIONS = [
  "backup.failed",
  "backup.missed",
  "rpo.breached",
  "drill.failed",
  "drill.overdue",
  "runner.silent",
  "job.stuck",
  "bucket.at_risk",
  "key.rotated",
  "witness.refused",
  "restore.issued",
  "restore.completed",
  "restore.failed",
] as const;
/** A condition. */
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

/** How bad, most severe first: a channel receives the severities at or above its minimum. */
export const ALERT_SEVERITIES = ["critical", "warning", "info"] as const;
/** A severity. */
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Each condition's severity. */
export const CONDITION_SEVERITY: Readonly<Record<AlertCondition, AlertSeverity>> = {
  "backup.failed": "critical",
  "backup.missed": "critical",
  "rpo.breached": "critical",
  "drill.failed": "warning",
  "drill.overdue": "warning",
  "runner.silent": "critical",
  "job.stuck": "warning",
  "bucket.at_risk": "critical",
  "key.rotated": "info",
  "witness.refused": "critical",
  "restore.issued": "info",
  "restore.completed": "info",
  "restore.failed": "warning",
};

/** Whether a severity is at or above a minimum. */
export function severityAtLeast(severity: AlertSeverity, minimum: AlertSeverity): boolean {
  return ALERT_SEVERITIES.indexOf(severity) <= ALERT_SEVERITIES.indexOf(minimum);
}

/** Why a notice is sent: an incident opened, is still open (a repeat), resolved; or an admin's "send test". */
export const NOTICE_KINDS = ["opened", "repeated", "resolved", "test"] as const;
/** A notice kind. */
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** The kinds of alert channel. */
export const CHANNEL_KINDS = ["webhook", "slack", "email"] as const;
/** A channel kind. */
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
