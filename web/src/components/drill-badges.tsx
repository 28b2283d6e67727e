import type { Drill } from "@walwarden/verifier/wire";
import {
  DRILL_STATUS_TONE,
  DRILL_STATUS_WORDS,
  RESTORABILITY_LOOK,
  RESTORABILITY_WORDS,
  type RestorabilityStatus,
} from "../lib/drills.js";

/** A database's restorability as a badge: words, with colour and symbol repeating them. */
export function RestorabilityBadge({ status }: { status: RestorabilityStatus }) {
  const look = RESTORABILITY_LOOK[status];
  return (
    <span class={`badge ${look.tone}`} data-restorability={status}>
      <span aria-hidden="true">{look.symbol} </span>
      {RESTORABILITY_WORDS[status]}
    </span>
  );
}

/** A drill's status as a badge. */
export function DrillStatusBadge({ status }: { status: Drill["status"] }) {
  return (
    <span class={`badge ${DRILL_STATUS_TONE[status]}`} data-drill-status={status}>
      {DRILL_STATUS_WORDS[status]}
    </span>
  );
}
