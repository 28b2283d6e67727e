import type { AlertSeverity } from "@walwarden/verifier";
import type { Incident } from "@walwarden/verifier/wire";
import { CONDITION_WORDS, SEVERITY_WORDS } from "../lib/alerts.js";

const SYMBOL: Record<AlertSeverity, string> = { critical: "✖", warning: "▲", info: "●" };
const TONE: Record<AlertSeverity, string> = { critical: "bad", warning: "warn", info: "info" };

/** A severity as a badge: the word, with colour and symbol repeating it. */
export function SeverityBadge({ severity }: { severity: AlertSeverity }) {
  return (
    <span class={`badge ${TONE[severity]}`} data-severity={severity}>
      <span aria-hidden="true">{SYMBOL[severity]} </span>
      {SEVERITY_WORDS[severity]}
    </span>
  );
}

/** An open incident as a badge naming its condition (the summary in its title). */
export function IncidentBadge({ incident }: { incident: Incident }) {
  return (
    <span
      class={`badge ${TONE[incident.severity]}`}
      data-condition={incident.condition}
      data-severity={incident.severity}
      title={incident.summary}
    >
      <span aria-hidden="true">{SYMBOL[incident.severity]} </span>
      <span class="sr-only">{SEVERITY_WORDS[incident.severity]}: </span>
      {CONDITION_WORDS[incident.condition]}
    </span>
  );
}
