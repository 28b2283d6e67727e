// The witnesses screen in words (verifier/SPEC.md §13): how far each witness has cosigned the log ("1,204 of
// 1,210"), how long a checkpoint has waited for it ("up to date" at the head), its last push for an external
// one, and the add form's fields (the name is the vkey's key name, so it is not typed).
import { formatDuration } from "./format.js";

/** 1204, 1210 → "1,204 of 1,210". */
export function cosignedWords(cosignedSize: number, headSize: number): string {
  return `${cosignedSize.toLocaleString("en-US")} of ${headSize.toLocaleString("en-US")}`;
}

/** How long the oldest checkpoint it has not cosigned has waited: "up to date" at the head, else "waiting 3 min". */
export function waitWords(w: { cosignedSize: number; headSize: number; lagSeconds: number }): {
  text: string;
  tone: "good" | "neutral" | "warn" | "bad";
} {
  if (w.cosignedSize >= w.headSize) return { text: "up to date", tone: "good" };
  const text = `waiting ${formatDuration(w.lagSeconds * 1000)}`;
  // A runner cosigns with its next poll and a tick pushes each minute: a few minutes behind is the normal
  // course, half an hour a warning, an hour somebody's problem.
  return { text, tone: w.lagSeconds >= 3600 ? "bad" : w.lagSeconds >= 1800 ? "warn" : "neutral" };
}

/** An external witness's last push in words: the error and when it is tried again, or that it succeeded. */
export function pushWords(w: {
  lastError: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  failures: number;
}): string {
  if (w.lastError) return `${w.lastError}${w.failures > 1 ? ` (${w.failures} failures in a row)` : ""}`;
  if (w.lastSuccessAt) return "last push succeeded";
  return w.lastAttemptAt ? "pushed, nothing cosigned yet" : "not pushed yet: the next cron tick pushes to it";
}

/** The key name a vkey carries (its text before the first `+`), or "" if it has none. */
export function nameOfVkey(vkey: string): string {
  const plus = vkey.trim().indexOf("+");
  return plus > 0 ? vkey.trim().slice(0, plus) : "";
}

/** The add form: the witness's cosigner vkey and its submission URL. */
export interface WitnessForm {
  vkey: string;
  url: string;
}
export type WitnessField = keyof WitnessForm;
export const WITNESS_FIELDS: readonly WitnessField[] = ["vkey", "url"];
export const EMPTY_WITNESS: WitnessForm = { vkey: "", url: "" };

/** PUT /v1/witnesses/:name's path for a witness name (URL-encoded: names hold slashes). */
export const witnessPath = (name: string) => `/v1/witnesses/${encodeURIComponent(name)}`;
