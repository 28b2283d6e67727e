import type { AlertNotice } from "../notice.js";

// The body of a generic webhook, in the payload shape Standard Webhooks recommends: a dotted event type, the
// event's time and the data. The keys are fixed and documented (README.md here); new ones may be added, none
// removed or renamed, so a receiver's parser keeps working.

/** The event type: `alert.opened`, `alert.repeated`, `alert.resolved` or `alert.test`. */
export type WebhookEventType = `alert.${AlertNotice["kind"]}`;

/** The JSON a webhook receives. */
export interface WebhookPayload {
  type: WebhookEventType;
  timestamp: string;
  data: {
    deliveryId: string;
    incidentId: string;
    condition: AlertNotice["condition"];
    severity: AlertNotice["severity"];
    subject: string;
    subjectName: string | null;
    summary: string;
    detail: string | null;
    openedAt: string;
    resolvedAt: string | null;
    dashboardUrl: string | null;
    orgId: string;
  };
}

/** The webhook body for a notice: exactly the bytes that are signed and sent. */
export function webhookBody(notice: AlertNotice): string {
  const payload: WebhookPayload = {
    type: `alert.${notice.kind}`,
    timestamp: notice.at,
    data: {
      deliveryId: notice.deliveryId,
      incidentId: notice.incidentId,
      condition: notice.condition,
      severity: notice.severity,
      subject: notice.subject,
      subjectName: notice.subjectName,
      summary: notice.summary,
      detail: notice.detail,
      openedAt: notice.openedAt,
      resolvedAt: notice.resolvedAt,
      dashboardUrl: notice.dashboardUrl,
      orgId: notice.orgId,
    },
  };
  return JSON.stringify(payload);
}
