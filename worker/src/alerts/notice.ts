// What one alert delivery carries, from the incident that caused it to the channel that receives it. The
// cron tick finds conditions and opens, repeats and resolves incidents (alerts/incidents.ts); each notice
// for each channel is one queue message (alerts/queue.ts); the consumer renders it for the channel's kind
// (alerts/deliver/) and sends it. Nothing here holds a secret or a URL of the customer's: those live in the
// channel's sealed target, opened only by the consumer.

import type { AlertCondition, AlertSeverity, NoticeKind } from "@walwarden/verifier";

/** One notice about one incident, as every channel kind renders it. All text is already redacted. */
export interface AlertNotice {
  /** Unique per (incident, channel, notice): the webhook-id, the queue's idempotency key. */
  deliveryId: string;
  orgId: string;
  /** `inc_…`; for a test notice, the channel's id. */
  incidentId: string;
  kind: NoticeKind;
  /** Null for a test notice, which belongs to no condition. */
  condition: AlertCondition | null;
  severity: AlertSeverity;
  /** What it is about: `database:<id>`, `runner:<id>`, `job:<id>`, `key:<purpose>`, `restore:<id>`. */
  subject: string;
  /** The subject's name for people (the database's or runner's name), if it has one. */
  subjectName: string | null;
  /** One line for a person: "Backups of shop failed: password authentication failed". */
  summary: string;
  /** More detail (a redacted reason), or null. */
  detail: string | null;
  /** When the incident opened, and resolved (null while open). */
  openedAt: string;
  resolvedAt: string | null;
  /** When this notice was made. */
  at: string;
  /** The dashboard page to look at, or null when the Worker knows no public URL. */
  dashboardUrl: string | null;
}
