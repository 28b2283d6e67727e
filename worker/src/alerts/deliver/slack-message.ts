import type { AlertNotice } from "../notice.js";
import { clip, noticeEmoji, noticeLabel, subjectText } from "./notice-text.js";

// A Slack incoming-webhook message in Block Kit. Limits (api.slack.com/reference/block-kit): a header's text
// 150 characters, a section's text 3000, a field's 2000, a button's label 75 and its URL 3000. Customer text
// goes into mrkdwn escaped (&, <, >), so a summary cannot make links or @-mentions, and `verbatim` stops Slack
// turning host names in a reason into links.

const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const URL_MAX = 3000;

/** Text escaped for Slack mrkdwn, then cut to `max` without leaving half an entity. */
export function slackText(text: string, max = SECTION_MAX): string {
  const escaped = text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  if (escaped.length <= max) return escaped;
  return clip(escaped, max).replace(/&[a-z]{0,3}…$/, "…");
}

/** A Slack date that each reader sees in their own time zone, the instant itself as the fallback. */
function slackDate(instant: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return slackText(instant, 100);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${new Date(ms).toISOString()}>`;
}

/** A mrkdwn text object that Slack shows as written. */
const mrkdwn = (text: string) => ({ type: "mrkdwn", text, verbatim: true });

/** The JSON body to POST to a Slack incoming webhook for a notice. */
export function slackBody(notice: AlertNotice): string {
  const label = `${noticeEmoji(notice)} ${noticeLabel(notice)}`;
  const blocks: unknown[] = [
    {
      type: "header",
      text: {
        type: "plain_text",
        text: clip(`${label} · ${notice.condition ?? "test notice"}`, HEADER_MAX),
        emoji: true,
      },
    },
    { type: "section", text: mrkdwn(slackText(notice.summary)) },
    {
      type: "section",
      fields: [
        mrkdwn(`*Condition*\n${notice.condition ?? "none (a test notice)"}`),
        mrkdwn(`*Subject*\n${slackText(subjectText(notice), FIELD_MAX - 20)}`),
        mrkdwn(`*Opened*\n${slackDate(notice.openedAt)}`),
        mrkdwn(`*Resolved*\n${notice.resolvedAt ? slackDate(notice.resolvedAt) : "still open"}`),
      ],
    },
  ];
  if (notice.detail)
    blocks.push({ type: "section", text: mrkdwn(`*Detail*\n${slackText(notice.detail, SECTION_MAX - 20)}`) });
  if (notice.dashboardUrl && /^https?:\/\//.test(notice.dashboardUrl) && notice.dashboardUrl.length <= URL_MAX) {
    blocks.push({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "Open in dashboard" }, url: notice.dashboardUrl }],
    });
  }
  blocks.push({
    type: "context",
    elements: [
      mrkdwn(slackText(`Walwarden · ${notice.orgId} · ${notice.incidentId} · delivery ${notice.deliveryId}`, 500)),
    ],
  });
  // `text` is what notifications and screen readers show; the blocks are the message.
  return JSON.stringify({ text: slackText(`${label}: ${notice.summary}`), blocks });
}
