import { toBase64 } from "@walwarden/verifier";
import { createMimeMessage } from "mimetext/browser";
import type { AlertNotice } from "../notice.js";
import { checkEmailAddress, emailDomain } from "./email-address.js";
import { clip, noticeEmoji, noticeLabel, subjectText } from "./notice-text.js";

// An alert email for Cloudflare's send_email binding: RFC 5322 text built with mimetext (its browser build,
// which ends lines with CRLF as mail requires; the Node build uses the platform's "\n"). Both parts are UTF-8
// in base64, so no line of customer text can be too long or look like a MIME boundary. Headers say the mail is
// automatic (RFC 3834), so auto-responders stay quiet, and the Message-ID is the delivery's, so a retried send
// is the same message to the reader's client.

/** One rendered email: the envelope's sender and recipient, and the whole message. */
export interface RenderedEmail {
  from: string;
  to: string;
  raw: string;
}

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** Base64 of UTF-8 text in lines of 76 characters (RFC 2045). */
function base64Lines(text: string): string {
  return (toBase64(new TextEncoder().encode(text)).match(/.{1,76}/g) ?? []).join("\r\n");
}

/** An RFC 5322 date-time. */
const mailDate = (date: Date) => date.toUTCString().replace("GMT", "+0000");

/** The dashboard link, when it is an http(s) URL. */
const link = (notice: AlertNotice) =>
  notice.dashboardUrl && /^https?:\/\//.test(notice.dashboardUrl) ? notice.dashboardUrl : null;

/** The facts both parts show, as [label, value]. */
function facts(notice: AlertNotice): [string, string][] {
  return [
    ["Condition", notice.condition ?? "none (a test notice)"],
    ["Subject", subjectText(notice)],
    ["Opened", notice.openedAt],
    ["Resolved", notice.resolvedAt ?? "still open"],
  ];
}

/** The footer line that identifies the delivery, for support. */
const footer = (n: AlertNotice) => `Walwarden alert · ${n.orgId} · ${n.incidentId} · delivery ${n.deliveryId}`;

/** The plain-text part. */
function textPart(notice: AlertNotice): string {
  const lines = [`${noticeEmoji(notice)} ${noticeLabel(notice)}: ${notice.summary}`, ""];
  for (const [k, v] of facts(notice)) lines.push(`${`${k}:`.padEnd(10)} ${v}`);
  if (notice.detail) lines.push("", "Detail:", notice.detail);
  const url = link(notice);
  if (url) lines.push("", `Open in dashboard: ${url}`);
  lines.push("", "-- ", footer(notice));
  return lines.join("\r\n");
}

/** The HTML part: every piece of notice text escaped. */
function htmlPart(notice: AlertNotice): string {
  const e = escapeHtml;
  const rows = facts(notice)
    .map(([k, v]) => `<tr><th align="left" style="padding:2px 12px 2px 0">${e(k)}</th><td>${e(v)}</td></tr>`)
    .join("");
  const url = link(notice);
  return [
    "<!doctype html>",
    '<html><body style="font-family:sans-serif;font-size:14px">',
    `<h2 style="margin:0 0 8px">${e(`${noticeEmoji(notice)} ${noticeLabel(notice)}`)}</h2>`,
    `<p style="margin:0 0 12px">${e(notice.summary)}</p>`,
    `<table style="border-collapse:collapse">${rows}</table>`,
    notice.detail ? `<p style="white-space:pre-wrap;margin:12px 0">${e(notice.detail)}</p>` : "",
    url ? `<p><a href="${e(url)}">Open in dashboard</a></p>` : "",
    `<p style="color:#666;font-size:12px">${e(footer(notice))}</p>`,
    "</body></html>",
  ].join("\r\n");
}

/** The email's subject: `[Walwarden] CRITICAL: <summary>`, `[Walwarden] RESOLVED: <summary>`. */
export function emailSubject(notice: AlertNotice): string {
  // mimetext encodes the subject (RFC 2047), so line breaks cannot end the header; they are still not wanted.
  return `[Walwarden] ${noticeLabel(notice)}: ${clip(notice.summary.replace(/[\r\n\t]+/g, " "), 150)}`;
}

/**
 * Renders a notice as one email from `from` to `to`. Both must pass `checkEmailAddress` (the caller checks;
 * a malformed one throws, as a programming error). `date` is the Date header, by default now.
 */
export function emailMessage(notice: AlertNotice, opts: { from: string; to: string; date?: Date }): RenderedEmail {
  const from = checkEmailAddress(opts.from);
  const to = checkEmailAddress(opts.to);
  if (!from.ok || !to.ok) throw new Error("emailMessage needs plain from and to addresses (checkEmailAddress)");
  const msg = createMimeMessage();
  msg.setSender({ name: "Walwarden", addr: from.value });
  msg.setRecipient(to.value);
  msg.setSubject(emailSubject(notice));
  msg.setHeader("Date", mailDate(opts.date ?? new Date()));
  msg.setHeader("Message-ID", `<${notice.deliveryId.replace(/[^A-Za-z0-9._-]/g, "-")}@${emailDomain(from.value)}>`);
  msg.setHeader("Auto-Submitted", "auto-generated");
  msg.setHeader("X-Auto-Response-Suppress", "All");
  msg.addMessage({ contentType: "text/plain", encoding: "base64", data: base64Lines(textPart(notice)) });
  msg.addMessage({ contentType: "text/html", encoding: "base64", data: base64Lines(htmlPart(notice)) });
  return { from: from.value, to: to.value, raw: msg.asRaw() };
}
