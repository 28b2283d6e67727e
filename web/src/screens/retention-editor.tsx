// The retention policy editor (admins): the rules as typed, checked as the API checks them, with a preview of
// what the policy being edited keeps and expires over the database's backups, computed here by the verifier's
// decision before anything is saved. The API's refusal is shown at its field; nothing is saved until Save.
import type { RetentionPolicy } from "@walwarden/verifier";
import { useMemo, useState } from "preact/hooks";
import { ApiError } from "../api/client.js";
import { RetentionFates } from "../components/retention-fates.js";
import {
  COUNT_FIELDS,
  countsWords,
  FIELD_HINTS,
  FIELD_LABELS,
  type FormProblems,
  formOf,
  formSays,
  type NumberField,
  previewBlocker,
  previewCounts,
  type ProblemAt,
  problemsOfRefusal,
  type RetentionField,
  type RetentionForm,
  type RetentionState,
} from "../lib/retention.js";
import { putRetentionPolicy } from "../lib/retention-api.js";
import type { RetentionEngine } from "../lib/use-retention-engine.js";
import { ZoneField } from "./retention-zone-field.js";

const id = (name: string) => `retention-${name}`;
/** The fields in the order they are shown: the first with a problem gets the focus on a refused Save. */
const FIELD_ORDER: readonly RetentionField[] = [...COUNT_FIELDS, "minAgeDays", "timezone"];

/** The editor for a database's policy (null: none yet), its preview over `state`, and Save. */
export function RetentionEditor({
  databaseId,
  saved,
  state,
  engine,
  onSaved,
}: {
  databaseId: string;
  saved: RetentionPolicy | null;
  state: RetentionState;
  engine: RetentionEngine;
  onSaved: (policy: RetentionPolicy) => Promise<void>;
}) {
  const [form, setForm] = useState<RetentionForm>(() => formOf(saved));
  const [tried, setTried] = useState(false);
  const [touched, setTouched] = useState<Set<RetentionField>>(new Set());
  const [refusal, setRefusal] = useState<FormProblems>({});
  const [busy, setBusy] = useState(false);
  const check = useMemo(() => engine.checkForm(form), [engine, form]);
  const dirty = !formSays(form, saved);

  const set = (field: RetentionField, value: string) => {
    setForm((old) => ({ ...old, [field]: value }));
    setRefusal((old) => {
      const { [field]: _gone, rules: _rules, form: _form, ...rest } = old;
      return rest;
    });
  };
  // Shown now: a number that is no number at once, the zone once left, "keeps nothing" after Save, the API's refusal.
  const shown: FormProblems = { ...refusal };
  if (!check.ok)
    for (const [at, message] of Object.entries(check.problems) as [ProblemAt, string][]) {
      const visible = tried || (at !== "rules" && (at !== "timezone" || touched.has("timezone")));
      if (visible && shown[at] === undefined) shown[at] = message;
    }

  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (!check.ok) {
      const first = FIELD_ORDER.find((f) => check.problems[f] !== undefined) ?? "keepLast";
      document.getElementById(id(first))?.focus();
      return;
    }
    setBusy(true);
    setRefusal({});
    try {
      const view = await putRetentionPolicy(databaseId, check.policy);
      await onSaved(view.policy);
    } catch (err) {
      setRefusal(err instanceof ApiError ? problemsOfRefusal(err.message) : { form: String(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="retention-form" noValidate onSubmit={(e) => void submit(e)} data-retention-form>
      <fieldset aria-describedby={shown.rules ? id("rules-problem") : undefined}>
        <legend>Keep</legend>
        <div class="retention-grid">
          {COUNT_FIELDS.map((f) => (
            <CountInput key={f} field={f} value={form[f]} problem={shown[f]} onInput={(v) => set(f, v)} />
          ))}
          <CountInput
            field="minAgeDays"
            value={form.minAgeDays}
            problem={shown.minAgeDays}
            onInput={(v) => set("minAgeDays", v)}
          />
        </div>
        {shown.rules ? (
          <p class="field-problem" id={id("rules-problem")} role="alert" data-problem="rules">
            {shown.rules}
          </p>
        ) : null}
      </fieldset>
      <ZoneField
        inputId={id("timezone")}
        value={form.timezone}
        problem={shown.timezone}
        onInput={(v) => set("timezone", v)}
        onBlur={() => setTouched((old) => new Set(old).add("timezone"))}
      />
      {shown.form ? (
        <div class="alert error" role="alert" data-problem="form">
          <p>{shown.form}</p>
        </div>
      ) : null}
      <p class="channel-actions">
        <button type="submit" disabled={busy}>
          {saved ? "Save policy" : "Set policy"}
        </button>
        <span class="muted small">{dirty ? "Not saved yet: the preview below is what it would do." : ""}</span>
      </p>
      <Preview state={state} engine={engine} check={check} dirty={dirty} saved={saved} />
    </form>
  );
}

/** One whole-number field with its hint and, when wrong, its problem (announced and tied to the input). */
function CountInput({
  field,
  value,
  problem,
  onInput,
}: {
  field: NumberField;
  value: string;
  problem: string | undefined;
  onInput: (value: string) => void;
}) {
  const describedBy = [id(`${field}-hint`), problem ? id(`${field}-problem`) : ""].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id(field)}>{FIELD_LABELS[field]}</label>
      <input
        id={id(field)}
        name={field}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        placeholder="off"
        value={value}
        aria-invalid={problem ? "true" : undefined}
        aria-describedby={describedBy}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      <span class="muted small" id={id(`${field}-hint`)}>
        {FIELD_HINTS[field]}
      </span>
      {problem ? (
        <p class="field-problem" id={id(`${field}-problem`)} data-problem={field}>
          {problem}
        </p>
      ) : null}
    </div>
  );
}

/** What the policy being edited keeps and expires, decided here over the Worker's backups, updating as it is typed. */
function Preview({
  state,
  engine,
  check,
  dirty,
  saved,
}: {
  state: RetentionState;
  engine: RetentionEngine;
  check: ReturnType<RetentionEngine["checkForm"]>;
  dirty: boolean;
  saved: RetentionPolicy | null;
}) {
  const policy = check.ok ? check.policy : null;
  const fates = useMemo(() => (policy ? engine.previewFates(state, policy) : null), [engine, state, policy]);
  // With nothing typed and no policy saved, the Worker's own answer: every backup kept.
  const showWorker = !dirty && !saved;
  const list = showWorker ? state.verdicts : fates && !("problem" in fates) ? fates : null;
  const line = list
    ? countsWords(previewCounts(list, state.expired.length))
    : fates && "problem" in fates
      ? `No preview: ${fates.problem}.`
      : previewBlocker(check.ok ? {} : check.problems);
  return (
    <section aria-labelledby={id("preview-h")} class="retention-preview">
      <h3 id={id("preview-h")}>
        {showWorker
          ? "Without a policy"
          : dirty
            ? "Preview of the policy being edited"
            : "What the saved policy keeps now"}
      </h3>
      <p role="status" class="preview-line" data-preview-counts>
        {line}
      </p>
      {showWorker ? <p class="muted small">Every backup is kept until a policy is set.</p> : null}
      {list ? (
        <RetentionFates
          fates={list}
          expired={state.expired}
          policy={showWorker ? null : policy}
          caption={dirty ? "Each backup's fate under the policy being edited" : "Each backup's fate now"}
        />
      ) : null}
    </section>
  );
}
