import type { AlertCondition, AlertSeverity, ChannelKind } from "@walwarden/verifier";
import { useState } from "preact/hooks";
import { ApiError } from "../api/client.js";
import { type ChannelForm, CONDITION_WORDS, CONDITIONS, KIND_WORDS, SEVERITY_WORDS } from "../lib/alerts.js";

const KINDS = Object.keys(KIND_WORDS) as ChannelKind[];
const SEVERITIES = Object.keys(SEVERITY_WORDS) as AlertSeverity[];

/**
 * The channel form, for a new channel and for editing one. `submit` sends it; an ApiError it throws is
 * shown beside the form (the API's own message) and the form keeps what was typed. `targetHint` is set
 * when editing: the API never shows a target, so an empty one keeps it.
 */
export function ChannelFormView({
  idPrefix,
  initial,
  submitLabel,
  targetHint,
  submit,
  cancel,
}: {
  idPrefix: string;
  initial: ChannelForm;
  submitLabel: string;
  targetHint?: string;
  submit: (form: ChannelForm) => Promise<void>;
  cancel?: () => void;
}) {
  const [f, setF] = useState<ChannelForm>(initial);
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<ChannelForm>) => setF((old) => ({ ...old, ...patch }));
  const id = (name: string) => `${idPrefix}-${name}`;
  const toggle = (c: AlertCondition, on: boolean) =>
    set({
      conditions: on
        ? CONDITIONS.filter((x) => x === c || f.conditions.includes(x))
        : f.conditions.filter((x) => x !== c),
    });
  const email = f.kind === "email";
  // Editing with the kind unchanged: an empty target keeps the one the channel has.
  const keepsTarget = targetHint !== undefined && f.kind === initial.kind;
  return (
    <form
      class="channel-form"
      aria-describedby={problem ? id("problem") : undefined}
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setProblem(undefined);
        try {
          await submit(f);
        } catch (err) {
          setProblem(err instanceof ApiError ? err.message : String(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <div class="field">
        <label for={id("name")}>Name</label>
        <input
          id={id("name")}
          type="text"
          required
          value={f.name}
          onInput={(e) => set({ name: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for={id("kind")}>Kind</label>
        <select id={id("kind")} value={f.kind} onChange={(e) => set({ kind: e.currentTarget.value as ChannelKind })}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_WORDS[k]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={id("target")}>{email ? "Addresses (comma-separated)" : "URL"}</label>
        <input
          id={id("target")}
          type="text"
          inputMode={email ? "email" : "url"}
          required={!keepsTarget}
          placeholder={
            keepsTarget ? `unchanged (${targetHint})` : email ? "ops@example.com, oncall@example.com" : "https://…"
          }
          value={f.target}
          onInput={(e) => set({ target: e.currentTarget.value })}
        />
        {keepsTarget ? (
          <span class="muted small">
            Leave empty to keep it.{f.kind === "webhook" ? " A new URL gets a new signing secret." : ""}
          </span>
        ) : null}
      </div>
      <fieldset>
        <legend>Conditions (none ticked: every condition)</legend>
        <div class="checks-grid">
          {CONDITIONS.map((c) => (
            <label key={c} for={id(`c-${c}`)}>
              <input
                id={id(`c-${c}`)}
                type="checkbox"
                checked={f.conditions.includes(c)}
                onChange={(e) => toggle(c, e.currentTarget.checked)}
              />{" "}
              {CONDITION_WORDS[c]}
            </label>
          ))}
        </div>
      </fieldset>
      <div class="field">
        <label for={id("severity")}>Least severity</label>
        <select
          id={id("severity")}
          value={f.minSeverity}
          onChange={(e) => set({ minSeverity: e.currentTarget.value as AlertSeverity })}
        >
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s === "critical" ? "Critical only" : `${SEVERITY_WORDS[s]} and above`}
            </option>
          ))}
        </select>
      </div>
      <div class="field narrow">
        <label for={id("repeat")}>Repeat every (minutes)</label>
        <input
          id={id("repeat")}
          type="text"
          inputMode="numeric"
          value={f.repeat}
          onInput={(e) => set({ repeat: e.currentTarget.value })}
        />
        <span class="muted small">Empty: notify once</span>
      </div>
      <div class="field">
        <label class="inline" for={id("enabled")}>
          <input
            id={id("enabled")}
            type="checkbox"
            checked={f.enabled}
            onChange={(e) => set({ enabled: e.currentTarget.checked })}
          />{" "}
          Enabled
        </label>
      </div>
      {problem ? (
        <div class="alert error" role="alert" id={id("problem")}>
          <p>{problem}</p>
        </div>
      ) : null}
      <p class="channel-actions">
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
        {cancel ? (
          <button type="button" class="secondary" onClick={cancel}>
            Cancel
          </button>
        ) : null}
      </p>
    </form>
  );
}
