// What the restore screens offer and say around a restore, as pure functions of its state and the time:
// the expiry countdown of an unclaimed token, cancel (only before a claim) and re-issue (after expiry,
// failure or cancel), who issued it in words, and whether the one-time command may still be shown.
import type { RestoreState } from "@walwarden/verifier/wire";

/** What an operator may do with a restore now, and how long its token has left. */
export interface RestoreActions {
  /** Revoke the token (POST /v1/restores/:id/cancel): only while issued and unexpired. */
  cancel: boolean;
  /** Issue a new restore of the same backup: once this one expired, failed or was cancelled. */
  reissue: boolean;
  /** Milliseconds until the token expires, while issued and unclaimed (0 once past, before the Worker records it). */
  expiresInMs: number | null;
  /** The one-time command may be shown (on request): the token is neither spent nor dead. */
  commandUsable: boolean;
}

/** The actions of a restore in `state` whose token expires at `expiresAt`, at `now` (ms). */
export function restoreActions(state: RestoreState, expiresAt: string, now: number): RestoreActions {
  const left = Date.parse(expiresAt) - now;
  const waiting = state === "issued";
  const live = waiting && left > 0;
  return {
    cancel: live,
    // The Worker's alarm records the expiry a moment after it: the token is dead already, so a new one may be issued.
    reissue: state === "expired" || state === "failed" || state === "cancelled" || (waiting && !live),
    expiresInMs: waiting ? Math.max(0, left) : null,
    commandUsable: live,
  };
}

/** A countdown in minutes and seconds: 874000 → "14:34", 59000 → "0:59", 0 → "0:00". */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The countdown in words for screen readers: "14 minutes 34 seconds", "59 seconds". */
export function countdownWords(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(s / 60);
  const r = s % 60;
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (m === 0) return part(r, "second");
  return r === 0 ? part(m, "minute") : `${part(m, "minute")} ${part(r, "second")}`;
}

/**
 * Who issued a restore, for people: the user's email, or the API token's name; when the user was removed
 * (the API gives no name) what kind of actor it was, with its id.
 */
export function issuerWords(issuedBy: string, issuedByName: string | null): string {
  const i = issuedBy.indexOf(":");
  const kind = i < 0 ? "" : issuedBy.slice(0, i);
  const id = i < 0 ? issuedBy : issuedBy.slice(i + 1);
  if (kind === "user") return issuedByName ?? `a removed user (${id})`;
  if (kind === "token") return issuedByName ? `API token “${issuedByName}”` : `API token ${id}`;
  return issuedByName ?? issuedBy;
}

/** The bucket of an `s3://bucket/key` artifact, or undefined. */
export function artifactBucket(uri: string): string | undefined {
  return /^s3:\/\/([^/]+)\//.exec(uri)?.[1];
}
