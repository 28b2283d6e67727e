import type { AlertCondition, AlertSeverity } from "@walwarden/verifier";
import { CONDITION_SEVERITY } from "@walwarden/verifier";
import type { Env } from "../env.js";
import { allowLoopback, openTarget } from "./channel-target.js";
import { cloudflareEmailSender } from "./deliver/email-sender.js";
import { sendNotice, type SendResult } from "./deliver/send-notice.js";
import type { NoticeKind } from "@walwarden/verifier";
import type { AlertNotice } from "./notice.js";
import type { DeliveryMessage } from "./notify.js";

/** Backoff of a retried delivery: 10 s, doubling, at most 10 minutes (with max_retries 100: about 16 hours). */
export function retryDelaySeconds(attempt: number, retryAfter?: number): number {
  const backoff = Math.min(600, 10 * 2 ** Math.max(0, attempt - 1));
  return Math.max(backoff, Math.min(retryAfter ?? 0, 3600));
}

interface DeliveryJoin {
  id: string;
  org_id: string;
  channel_id: string;
  incident_id: string;
  kind: NoticeKind;
  status: string;
  attempts: number;
  channel_name: string | null;
  sealed_target: string | null;
  enabled: number | null;
  condition: AlertCondition | null;
  subject: string | null;
  severity: AlertSeverity | null;
  summary: string | null;
  detail: string | null;
  opened_at: number | null;
  resolved_at: number | null;
  subject_name: string | null;
}

/** What to do with the message: done (acknowledge) or again later. */
type Outcome = { kind: "done" } | { kind: "retry"; delaySeconds: number };

/** The dashboard page of a subject, when the Worker knows its public URL. */
function dashboardUrl(env: Env, subject: string | null): string | null {
  if (!env.PUBLIC_API_URL) return null;
  const base = env.PUBLIC_API_URL.replace(/\/$/, "");
  const [kind, id] = (subject ?? "").split(":", 2);
  return kind === "database" && id ? `${base}/databases/${encodeURIComponent(id)}` : `${base}/alerts`;
}

/** The notice a delivery carries, from its incident (or, for a test, from its channel). */
function noticeOf(env: Env, d: DeliveryJoin, now: number): AlertNotice {
  const test = d.kind === "test";
  const condition = test ? null : d.condition;
  return {
    deliveryId: d.id,
    orgId: d.org_id,
    incidentId: d.incident_id,
    kind: d.kind,
    condition,
    severity: test ? "info" : (d.severity ?? (condition ? CONDITION_SEVERITY[condition] : "info")),
    subject: test ? `channel:${d.channel_id}` : (d.subject ?? ""),
    subjectName: test ? d.channel_name : d.subject_name,
    summary: test
      ? `Test notice for channel ${d.channel_name ?? d.channel_id}: alerts will reach you here`
      : (d.summary ?? ""),
    detail: test ? null : d.detail,
    openedAt: new Date(test ? now : (d.opened_at ?? now)).toISOString(),
    resolvedAt: d.resolved_at === null || test ? null : new Date(d.resolved_at).toISOString(),
    at: new Date(now).toISOString(),
    dashboardUrl: dashboardUrl(env, test ? null : d.subject),
  };
}

/** Records an attempt's outcome on the delivery row (never the URL, secret or receiver's body: SendResult has none). */
async function record(env: Env, id: string, status: string, r: SendResult | { ok: false; error: string }, now: number) {
  await env.DB.prepare(
    `UPDATE alert_deliveries SET status = ?2, attempts = attempts + 1, last_status = ?3, last_error = ?4, updated_at = ?5,
            delivered_at = CASE WHEN ?2 = 'delivered' THEN ?5 ELSE delivered_at END
     WHERE id = ?1 AND status NOT IN ('delivered', 'failed')`,
  )
    .bind(id, status, "status" in r ? (r.status ?? null) : null, r.ok ? null : r.error, now)
    .run();
}

/**
 * Delivers one queued notice: idempotent by delivery id (a delivered or failed one is acknowledged without
 * a send), a deleted or disabled channel fails it, a retryable failure is retried with backoff (the queue
 * moves it to the dead-letter queue after max_retries), any other failure is final.
 */
export async function deliverOne(env: Env, deliveryId: string, attempt: number, now: number): Promise<Outcome> {
  const d = await env.DB.prepare(
    `SELECT d.id, d.org_id, d.channel_id, d.incident_id, d.kind, d.status, d.attempts,
            c.name AS channel_name, c.sealed_target, c.enabled,
            i.condition, i.subject, i.severity, i.summary, i.detail, i.opened_at, i.resolved_at,
            COALESCE(db.name, r.name) AS subject_name
     FROM alert_deliveries d
     LEFT JOIN alert_channels c ON c.id = d.channel_id AND c.org_id = d.org_id
     LEFT JOIN alert_incidents i ON i.id = d.incident_id AND i.org_id = d.org_id
     LEFT JOIN databases db ON i.subject = 'database:' || db.id AND db.org_id = d.org_id
     LEFT JOIN runners r ON i.subject = 'runner:' || r.id AND r.org_id = d.org_id
     WHERE d.id = ?1`,
  )
    .bind(deliveryId)
    .first<DeliveryJoin>();
  if (!d || d.status === "delivered" || d.status === "failed") return { kind: "done" };
  if (d.sealed_target === null) {
    await record(env, d.id, "failed", { ok: false, error: "the channel was deleted before delivery" }, now);
    return { kind: "done" };
  }
  if (d.enabled === 0 && d.kind !== "test") {
    await record(env, d.id, "failed", { ok: false, error: "the channel was disabled before delivery" }, now);
    return { kind: "done" };
  }
  const target = await openTarget(env, d.org_id, d.channel_id, d.sealed_target);
  if (!target.ok) {
    // The Worker's key is missing or changed: a configuration problem that may be fixed, so try again later.
    await record(env, d.id, "retrying", { ok: false, error: "the Worker cannot open the channel's target" }, now);
    return { kind: "retry", delaySeconds: retryDelaySeconds(attempt) };
  }
  const result = await sendNotice(target.value, noticeOf(env, d, now), {
    fetch: (input, init) => fetch(input, init),
    email: env.ALERT_EMAIL ? cloudflareEmailSender(env.ALERT_EMAIL) : undefined,
    emailFrom: env.ALERT_EMAIL_FROM,
    allowLoopback: allowLoopback(env),
    now: () => Date.now(),
  });
  if (result.ok) {
    await record(env, d.id, "delivered", result, now);
    return { kind: "done" };
  }
  await record(env, d.id, result.retryable ? "retrying" : "failed", result, now);
  return result.retryable
    ? { kind: "retry", delaySeconds: retryDelaySeconds(attempt, result.retryAfterSeconds) }
    : { kind: "done" };
}

/** The alert queue's consumer: each message one delivery, acknowledged or retried on its own. */
export async function consumeDeliveries(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    const outcome = await deliverOne(env, msg.body.deliveryId, msg.attempts, Date.now());
    if (outcome.kind === "done") msg.ack();
    else msg.retry({ delaySeconds: outcome.delaySeconds });
  }
}

/** The dead-letter queue's consumer: a delivery the queue gave up on is failed for good, saying so. */
export async function deadLetterDeliveries(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  const now = Date.now();
  for (const msg of batch.messages) {
    await env.DB.prepare(
      `UPDATE alert_deliveries SET status = 'failed', updated_at = ?2,
              last_error = 'gave up after the queue''s last retry' || COALESCE(': ' || last_error, '')
       WHERE id = ?1 AND status NOT IN ('delivered', 'failed')`,
    )
      .bind(msg.body.deliveryId, now)
      .run();
    msg.ack();
  }
}
