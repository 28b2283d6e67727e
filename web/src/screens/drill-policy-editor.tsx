// The drill policy editor (admins), for a database without a policy and for editing one: when drills run (a
// preset or a custom cron, the zone) with the next five drills worked out here by the Worker's own cron module,
// which backup is drilled, the target, the max RTO, the SQL assertions (added and removed here) and enabled,
// all checked with the API's own DrillPolicyRequestSchema before anything is sent. The API's refusal is shown
// at its field; nothing is saved until Save.
import type { DrillPolicy } from "@walwarden/verifier/wire";
import { useMemo, useState } from "preact/hooks";
import { ApiError, putJson } from "../api/client.js";
import {
  type AssertionField,
  type AssertionForm,
  type DrillPolicyForm,
  type DrillProblemAt,
  type DrillProblems,
  formOf,
  formSays,
  MAX_ASSERTIONS,
  MAX_WITHIN_DAYS,
  newAssertion,
  OP_WORDS,
  OPS,
  problemOrder,
  problemsOfRefusal,
  requestOf,
  RTO_UNITS,
  type RtoUnit,
  TARGETS,
  VALUE_KINDS,
  type ValueKind,
} from "../lib/drill-policy.js";
import { useDrillPolicyEngine } from "../lib/drill-policy-load.js";
import { TARGET_WORDS } from "../lib/drills.js";
import { CronPresetFields, knownZones, RunsPreview, ZoneField } from "../components/cron-fields.js";
import { cronOf } from "../lib/schedule.js";

const enc = encodeURIComponent;
const id = (name: string) => `drill-policy-${name}`;
/** The element a problem's place focuses: the preset (or custom cron) for the cron, an assertion's input for its field. */
function fieldIdOf(at: DrillProblemAt, form: DrillPolicyForm): string {
  if (at === "cron") return id(form.preset === "custom" ? "cron" : "preset");
  if (at === "assertions") return id("add-assertion");
  const m = /^assertions\.(\d+)\.(\w+)$/.exec(at);
  return m ? id(`assertion-${m[1]}-${m[2]}`) : id(at);
}
const UNIT_WORDS: Record<RtoUnit, string> = { seconds: "seconds", minutes: "minutes", hours: "hours" };
const KIND_WORDS: Record<ValueKind, string> = { number: "a number", boolean: "true or false", text: "exact text" };

/** The editor for a database's drill policy (`saved` null: none yet); `onSaved` gets the policy as stored. */
export function DrillPolicyEditor({
  databaseId,
  saved,
  onSaved,
  onCancel,
}: {
  databaseId: string;
  saved: DrillPolicy | null;
  onSaved: (policy: DrillPolicy) => Promise<void>;
  onCancel?: () => void;
}) {
  const loaded = useDrillPolicyEngine();
  const engine = loaded && !("failed" in loaded) ? loaded : undefined;
  const [form, setForm] = useState<DrillPolicyForm>(() => formOf(saved));
  const [tried, setTried] = useState(false);
  const [touched, setTouched] = useState<Set<DrillProblemAt>>(new Set());
  const [refusal, setRefusal] = useState<DrillProblems>({});
  const [busy, setBusy] = useState(false);
  const zones = useMemo(knownZones, []);
  // The preview's "now": when the form opened, moved on by each edit (so it stays the next drills while typing).
  const [now, setNow] = useState(() => Date.now());

  const check = useMemo(() => engine?.checkDrillPolicyForm(form), [engine, form]);
  const cron = cronOf(form);
  const timezone = form.timezone.trim() || "UTC";
  const preview = useMemo(
    () =>
      engine && !(check && !check.ok && check.problems.timezone) ? engine.previewRuns(cron, timezone, now) : undefined,
    [engine, check, cron, timezone, now],
  );
  const dirty = !formSays(form, saved);

  /** Applies a change, clearing the problem at `at` and the form's (an assertion added or removed clears theirs). */
  const set = (change: (old: DrillPolicyForm) => DrillPolicyForm, at: DrillProblemAt | "rows") => {
    setForm(change);
    setNow(Date.now());
    setRefusal((old) => {
      const out: DrillProblems = {};
      for (const [k, v] of Object.entries(old) as [DrillProblemAt, string][])
        if (k !== at && k !== "form" && !(at === "rows" && k.startsWith("assertions"))) out[k] = v;
      return out;
    });
  };
  const patch = (p: Partial<DrillPolicyForm>, at: DrillProblemAt) => set((old) => ({ ...old, ...p }), at);
  const patchAssertion = (i: number, p: Partial<AssertionForm>, field: AssertionField) =>
    set(
      (old) => ({ ...old, assertions: old.assertions.map((a, j) => (j === i ? { ...a, ...p } : a)) }),
      `assertions.${i}.${field}`,
    );
  const touch = (at: DrillProblemAt) => setTouched((old) => new Set(old).add(at));

  // Shown now: the API's refusal; the form's own problems once their field was left, or after Save.
  const shown: DrillProblems = { ...refusal };
  if (check && !check.ok)
    for (const [at, message] of Object.entries(check.problems) as [DrillProblemAt, string][])
      if ((tried || touched.has(at) || at === "form") && shown[at] === undefined) shown[at] = message;

  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    // A refusal is of the request that was sent: this Save is judged afresh.
    setRefusal({});
    if (check && !check.ok) {
      const first = problemOrder(form).find((f) => check.problems[f] !== undefined);
      if (first) document.getElementById(fieldIdOf(first, form))?.focus();
      return;
    }
    // Without the engine yet (its chunk still loading), the API alone judges what the form says.
    const body = check?.ok ? check.body : requestOf(form).body;
    setBusy(true);
    try {
      await onSaved(await putJson<DrillPolicy>(`/v1/databases/${enc(databaseId)}/drill-policy`, body));
    } catch (err) {
      const problems = err instanceof ApiError ? problemsOfRefusal(err.message) : { form: String(err) };
      setRefusal(problems);
      const first = problemOrder(form).find((f) => problems[f] !== undefined);
      if (first) document.getElementById(fieldIdOf(first, form))?.focus();
    } finally {
      setBusy(false);
    }
  };

  const problemId = (at: DrillProblemAt) => id(`${at.replaceAll(".", "-")}-problem`);
  const described = (at: DrillProblemAt, hint?: string) =>
    [hint ? id(hint) : "", shown[at] ? problemId(at) : ""].filter(Boolean).join(" ") || undefined;
  const invalid = (at: DrillProblemAt) => (shown[at] ? "true" : undefined);
  const problem = (at: DrillProblemAt) =>
    shown[at] ? (
      <p class="field-problem" id={problemId(at)} data-problem={at}>
        {shown[at]}
      </p>
    ) : null;

  const when = { id, set: patch, touch, invalid, described };

  return (
    <form class="drill-policy-form" noValidate onSubmit={(e) => void submit(e)} data-drill-policy-form>
      {loaded && "failed" in loaded ? (
        <p class="alert error" role="alert">
          Could not load the policy checks: {loaded.failed}. The API still checks what is saved.
        </p>
      ) : null}
      <fieldset>
        <legend>When drills run</legend>
        <CronPresetFields form={form} cron={cron} cronPlaceholder="0 4 * * 0" {...when} />
        {problem("cron")}
        <ZoneField
          form={form}
          zones={zones}
          hint="The wall clock the hours are read on, e.g. Europe/Berlin (empty: UTC)"
          problem={problem("timezone")}
          {...when}
        />
        <RunsPreview
          headingId={id("preview-h")}
          word="drills"
          preview={preview}
          timezone={timezone}
          enabled={form.enabled}
          loading={loaded === undefined}
          cron={cron}
        />
      </fieldset>
      <fieldset>
        <legend>What is drilled, where</legend>
        <div class="drill-policy-row">
          <div class="field">
            <label for={id("pick")}>Backup drilled</label>
            <select
              id={id("pick")}
              value={form.pick}
              onChange={(e) => patch({ pick: e.currentTarget.value as DrillPolicyForm["pick"] }, "withinDays")}
            >
              <option value="latest">The latest completed backup</option>
              <option value="random">A random backup from the last days</option>
            </select>
          </div>
          {form.pick === "random" ? (
            <div class="field">
              <label for={id("withinDays")}>From the last (days)</label>
              <input
                id={id("withinDays")}
                name="withinDays"
                type="text"
                inputMode="numeric"
                autoComplete="off"
                class="short"
                value={form.withinDays}
                aria-invalid={invalid("withinDays")}
                aria-describedby={described("withinDays", "withinDays-hint")}
                onInput={(e) => patch({ withinDays: e.currentTarget.value }, "withinDays")}
                onBlur={() => touch("withinDays")}
              />
              <span class="muted small" id={id("withinDays-hint")}>
                1 to {MAX_WITHIN_DAYS}: older backups get proven too
              </span>
              {problem("withinDays")}
            </div>
          ) : null}
        </div>
        <div class="field">
          <label for={id("target")}>Target</label>
          <select
            id={id("target")}
            value={form.target}
            aria-invalid={invalid("target")}
            aria-describedby={described("target", "target-hint")}
            onChange={(e) => patch({ target: e.currentTarget.value as DrillPolicyForm["target"] }, "target")}
          >
            {TARGETS.map((t) => (
              <option key={t} value={t}>
                {TARGET_WORDS[t].short}
              </option>
            ))}
          </select>
          <span class="muted small" id={id("target-hint")}>
            Restored into {TARGET_WORDS[form.target].long}
          </span>
          {problem("target")}
        </div>
        <div class="field">
          <label for={id("maxRto")}>Max RTO</label>
          <div class="rpo-inputs">
            <input
              id={id("maxRto")}
              name="maxRto"
              type="text"
              inputMode="numeric"
              autoComplete="off"
              placeholder="none"
              value={form.maxRto}
              aria-invalid={invalid("maxRto")}
              aria-describedby={described("maxRto", "maxRto-hint")}
              onInput={(e) => patch({ maxRto: e.currentTarget.value }, "maxRto")}
              onBlur={() => touch("maxRto")}
            />
            <select
              id={id("maxRto-unit")}
              aria-label="Max RTO unit"
              value={form.maxRtoUnit}
              onChange={(e) => patch({ maxRtoUnit: e.currentTarget.value as RtoUnit }, "maxRto")}
            >
              {(Object.keys(RTO_UNITS) as RtoUnit[]).map((u) => (
                <option key={u} value={u}>
                  {UNIT_WORDS[u]}
                </option>
              ))}
            </select>
          </div>
          <span class="muted small" id={id("maxRto-hint")}>
            A drill that takes longer to restore and check fails (empty: no target; at most 7 days)
          </span>
          {problem("maxRto")}
        </div>
      </fieldset>
      <fieldset data-assertions>
        <legend>SQL assertions</legend>
        <p class="muted small" id={id("assertions-hint")}>
          Besides every table's row count and the schema fingerprint, each query runs on the restored database and must
          return one row of one column that meets its expectation. Up to {MAX_ASSERTIONS}, each with its own name.
        </p>
        {form.assertions.length === 0 ? <p class="muted">No SQL assertions.</p> : null}
        {form.assertions.map((a, i) => (
          <AssertionRow
            key={a.key}
            index={i}
            a={a}
            shown={shown}
            problemId={problemId}
            onChange={(p, field) => patchAssertion(i, p, field)}
            onBlur={(field) => touch(`assertions.${i}.${field}`)}
            onRemove={() => set((old) => ({ ...old, assertions: old.assertions.filter((_, j) => j !== i) }), "rows")}
          />
        ))}
        <p>
          <button
            type="button"
            class="secondary"
            id={id("add-assertion")}
            disabled={form.assertions.length >= MAX_ASSERTIONS}
            aria-describedby={described("assertions", "assertions-hint")}
            onClick={() => set((old) => ({ ...old, assertions: [...old.assertions, newAssertion()] }), "rows")}
          >
            Add an assertion
          </button>
        </p>
        {problem("assertions")}
      </fieldset>
      <div class="field">
        <label class="inline" for={id("enabled")}>
          <input
            id={id("enabled")}
            type="checkbox"
            checked={form.enabled}
            onChange={(e) => patch({ enabled: e.currentTarget.checked }, "enabled")}
          />{" "}
          Enabled
        </label>
        <span class="muted small">A paused policy schedules no drill; an operator can still drill now.</span>
        {problem("enabled")}
      </div>
      {shown.form ? (
        <div class="alert error" role="alert" data-problem="form">
          <p>{shown.form}</p>
        </div>
      ) : null}
      <p class="channel-actions">
        <button type="submit" disabled={busy}>
          {saved ? "Save policy" : "Set policy"}
        </button>
        {onCancel ? (
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        <span class="muted small">{saved && !dirty ? "Nothing changed yet." : ""}</span>
      </p>
    </form>
  );
}

/** One assertion: its name, query and expectation (comparison, kind and value), its problems, and Remove. */
function AssertionRow({
  index: i,
  a,
  shown,
  problemId,
  onChange,
  onBlur,
  onRemove,
}: {
  index: number;
  a: AssertionForm;
  shown: DrillProblems;
  problemId: (at: DrillProblemAt) => string;
  onChange: (p: Partial<AssertionForm>, field: AssertionField) => void;
  onBlur: (field: AssertionField) => void;
  onRemove: () => void;
}) {
  const fid = (f: AssertionField | "kind") => id(`assertion-${i}-${f}`);
  const at = (f: AssertionField) => `assertions.${i}.${f}` as const;
  const attrs = (f: AssertionField) => ({
    id: fid(f),
    "aria-invalid": shown[at(f)] ? ("true" as const) : undefined,
    "aria-describedby": shown[at(f)] ? problemId(at(f)) : undefined,
    onBlur: () => onBlur(f),
  });
  const problem = (f: AssertionField) =>
    shown[at(f)] ? (
      <p class="field-problem" id={problemId(at(f))} data-problem={at(f)}>
        {shown[at(f)]}
      </p>
    ) : null;
  const n = i + 1;
  return (
    <fieldset class="assertion" data-assertion={i}>
      <legend>Assertion {n}</legend>
      <div class="field">
        <label for={fid("name")}>Name</label>
        <input
          {...attrs("name")}
          type="text"
          autoComplete="off"
          placeholder="orders are there"
          value={a.name}
          onInput={(e) => onChange({ name: e.currentTarget.value }, "name")}
        />
        {problem("name")}
      </div>
      <div class="field">
        <label for={fid("sql")}>SQL</label>
        <textarea
          {...attrs("sql")}
          rows={2}
          spellcheck={false}
          placeholder="select count(*) from orders"
          value={a.sql}
          onInput={(e) => onChange({ sql: e.currentTarget.value }, "sql")}
        />
        {problem("sql")}
      </div>
      <div class="drill-policy-row">
        <div class="field">
          <label for={fid("op")}>Expect the value</label>
          <select
            {...attrs("op")}
            value={a.op}
            onChange={(e) => onChange({ op: e.currentTarget.value as AssertionForm["op"] }, "op")}
          >
            {OPS.map((op) => (
              <option key={op} value={op}>
                {OP_WORDS[op]}
              </option>
            ))}
          </select>
          {problem("op")}
        </div>
        <div class="field">
          <label for={fid("kind")}>Compared as</label>
          <select
            id={fid("kind")}
            value={a.kind}
            onChange={(e) => {
              const kind = e.currentTarget.value as ValueKind;
              onChange({ kind, value: kind === "boolean" ? "true" : a.kind === "boolean" ? "" : a.value }, "value");
            }}
          >
            {VALUE_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_WORDS[k]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={fid("value")}>Value</label>
          {a.kind === "boolean" ? (
            <select
              {...attrs("value")}
              value={a.value}
              onChange={(e) => onChange({ value: e.currentTarget.value }, "value")}
            >
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          ) : (
            <input
              {...attrs("value")}
              type="text"
              inputMode={a.kind === "number" ? "decimal" : undefined}
              autoComplete="off"
              value={a.value}
              onInput={(e) => onChange({ value: e.currentTarget.value }, "value")}
            />
          )}
          {problem("value")}
        </div>
      </div>
      <p>
        <button type="button" class="secondary" onClick={onRemove} aria-label={`Remove assertion ${n}`}>
          Remove
        </button>
      </p>
    </fieldset>
  );
}
