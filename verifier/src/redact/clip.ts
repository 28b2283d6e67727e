/**
 * A text cut to at most `max` UTF-16 units, marked with `…` where it was cut: its start kept (`keep:
 * "start"`) or its end (a failure's last lines say most). Never splits a surrogate pair, so the result
 * is still well-formed (the log's canonical JSON refuses a lone surrogate).
 */
export function clipText(text: string, max: number, keep: "start" | "end" = "start"): string {
  if (text.length <= max) return text;
  if (max < 1) return "";
  if (keep === "start") {
    let end = max - 1;
    if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
    return `${text.slice(0, end)}…`;
  }
  let start = text.length - (max - 1);
  if (isLowSurrogate(text.charCodeAt(start))) start++;
  return `…${text.slice(start)}`;
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
