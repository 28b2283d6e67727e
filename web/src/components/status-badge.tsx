import type { RestoreState, RpoStatus } from "@walwarden/verifier/wire";

/** RPO status in words; the colour and symbol only repeat what the words say. */
export const RPO_WORDS: Record<RpoStatus, string> = {
  ok: "OK",
  "at-risk": "At risk",
  breached: "Breached",
  "no-target": "No target",
};
const RPO_SYMBOL: Record<RpoStatus, string> = { ok: "●", "at-risk": "▲", breached: "✖", "no-target": "○" };
const RPO_TONE: Record<RpoStatus, string> = { ok: "good", "at-risk": "warn", breached: "bad", "no-target": "neutral" };

/** A database's RPO status as a badge. */
export function RpoBadge({ status }: { status: RpoStatus }) {
  return (
    <span class={`badge ${RPO_TONE[status]}`} data-status={status}>
      <span aria-hidden="true">{RPO_SYMBOL[status]} </span>
      {RPO_WORDS[status]}
    </span>
  );
}

const RESTORE_TONE: Record<RestoreState, string> = {
  issued: "neutral",
  claimed: "info",
  downloading: "info",
  verifying: "info",
  restoring: "info",
  completed: "good",
  failed: "bad",
  expired: "warn",
  cancelled: "neutral",
};

/** A restore's state as a badge. */
export function RestoreBadge({ state }: { state: RestoreState }) {
  return (
    <span class={`badge ${RESTORE_TONE[state]}`} data-state={state}>
      {state}
    </span>
  );
}

/** A verification verdict as a badge: "Verified" or "Not verified". */
export function VerdictBadge({ verdict }: { verdict: "verified" | "not-verified" }) {
  return (
    <span class={`badge ${verdict === "verified" ? "good" : "bad"}`} data-verdict={verdict}>
      <span aria-hidden="true">{verdict === "verified" ? "✔ " : "✘ "}</span>
      {verdict === "verified" ? "Verified" : "Not verified"}
    </span>
  );
}
