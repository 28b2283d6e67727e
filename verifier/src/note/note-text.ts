const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
// Every ASCII control character except newline (U+000A).
const CONTROL = /[\x00-\x09\x0b-\x1f]/;

/**
 * Why a string cannot be (part of) a signed note, or undefined if it can: signed notes are valid UTF-8
 * with no ASCII control characters other than newline (C2SP signed-note, Format).
 */
export function noteCharsProblem(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return "not valid UTF-8 (unpaired surrogate)";
  const c = CONTROL.exec(text);
  if (c) return `contains control character U+${c[0].charCodeAt(0).toString(16).padStart(4, "0")}`;
  return undefined;
}

/** Why text cannot be the text of a signed note, or undefined if it can (it must also end in a newline). */
export function noteTextProblem(text: string): string | undefined {
  if (!text.endsWith("\n")) return "note text must end with a newline";
  return noteCharsProblem(text);
}
