import type { AlertNotice } from "../notice.js";

// What every channel says the same way: the label and emoji of a notice, its subject for people, and cutting
// text to a channel's limits without splitting a character.

/** The notice's label: RESOLVED, TEST, or the severity (CRITICAL, WARNING, INFO), "still open" on repeats. */
export function noticeLabel(notice: AlertNotice): string {
  if (notice.kind === "resolved") return "RESOLVED";
  if (notice.kind === "test") return "TEST";
  const severity = notice.severity.toUpperCase();
  return notice.kind === "repeated" ? `${severity} (still open)` : severity;
}

/** The emoji for the notice: ✅ resolved, 🧪 test, else 🔴 critical, 🟠 warning, 🔵 info. */
export function noticeEmoji(notice: AlertNotice): string {
  if (notice.kind === "resolved") return "✅";
  if (notice.kind === "test") return "🧪";
  return { critical: "🔴", warning: "🟠", info: "🔵" }[notice.severity];
}

/** The subject for people: `shop (database:db_1)`, or the bare subject when it has no name. */
export function subjectText(notice: AlertNotice): string {
  return notice.subjectName ? `${notice.subjectName} (${notice.subject})` : notice.subject;
}

/** At most `max` UTF-16 units, cut at a character boundary and ending in "…" when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  // Do not leave half of a surrogate pair: a lone surrogate is not valid Unicode in JSON or mail.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
