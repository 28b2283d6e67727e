import type { AlertNotice } from "../notice.js";
import { checkOutboundUrl } from "./outbound-url.js";
import { postJson } from "./post-json.js";
import { sendEmail } from "./send-email.js";
import type { EmailSender } from "./email-sender.js";
import { permanent, type SendResult } from "./send-result.js";
import { slackBody } from "./slack-message.js";
import { signWebhook, webhookSecretKey } from "./standard-webhooks.js";
import { webhookBody } from "./webhook-payload.js";

export type { SendResult } from "./send-result.js";

/** Where a channel delivers, as opened from its sealed target. */
export type ChannelTarget =
  | { kind: "webhook"; url: string; secret: string }
  | { kind: "slack"; url: string }
  | { kind: "email"; to: string[] };

/** What sending needs from the Worker; all of it is passed in, so tests pass recorders. */
export interface SendDeps {
  fetch: typeof fetch;
  email: EmailSender | undefined;
  emailFrom: string | undefined;
  /** Loopback URLs (and http to them) are allowed: development and tests only. */
  allowLoopback: boolean;
  /** Epoch milliseconds. */
  now: () => number;
  /** How long one send may take; 10 s by default. */
  timeoutMs?: number;
}

/** The default time one send may take. */
export const DEFAULT_SEND_TIMEOUT_MS = 10_000;

/** The parts of a URL and the secret that an error must never show. */
function hiddenParts(url: URL, secret?: string): string[] {
  const parts = [url.href, url.pathname, url.search, ...url.pathname.split("/"), ...url.search.split(/[?&=]/)];
  if (secret) parts.push(secret, secret.replace(/^whsec_/, ""));
  return parts.filter((p) => p.length >= 4);
}

/**
 * Sends one notice to one channel and classifies the outcome. The URL is checked again here (it was checked
 * when saved, but the rules or the channel may have changed since). Never throws for a failed delivery.
 */
export async function sendNotice(target: ChannelTarget, notice: AlertNotice, deps: SendDeps): Promise<SendResult> {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  if (target.kind === "email") return sendEmail(target.to, notice, { ...deps, timeoutMs });
  const url = checkOutboundUrl(target.url, { allowLoopback: deps.allowLoopback });
  if (!url.ok) return permanent(url.message);
  const post = { fetch: deps.fetch, now: deps.now, timeoutMs };
  if (target.kind === "slack") return postJson(url.value, slackBody(notice), {}, hiddenParts(url.value), post);
  if (!webhookSecretKey(target.secret).ok) return permanent("the channel's signing secret is malformed");
  const body = webhookBody(notice);
  const headers = await signWebhook(target.secret, notice.deliveryId, Math.floor(deps.now() / 1000), body);
  return postJson(url.value, body, headers, hiddenParts(url.value, target.secret), post);
}
