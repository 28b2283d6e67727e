// The schedule form (admins), for a new schedule and for editing one: a preset or a custom cron, the time zone,
// the target RPO (with a warning when it is shorter than the gap between runs) and enabled, checked as the API
// checks them, with the next five runs in the chosen zone worked out here by the Worker's own cron module.
// The API's refusal is shown at its field; nothing is saved until Save.
import type { Schedule } from "@walwarden/verifier/wire";
import { useMemo, useState } from "preact/hooks";
import { ApiError, patchJson, postJson } from "../api/client.js";
import {
  changesOf,
  cronOf,
  formOf,
  problemsOfRefusal,
  RPO_UNITS,
  type RpoUnit,
  requestOf,
  rpoWarning,
  type ScheduleForm,
  type ScheduleProblemAt,
  type ScheduleProblems,
} from "../lib/schedule.js";
import type { ScheduleEngine } from "../lib/schedule-load.js";
import { CronPresetFields, knownZones, RunsPreview, ZoneField } from "../components/cron-fields.js";

/** The fields in the order they are shown: the first with a problem gets the focus on a refused Save. */
const ORDER: readonly ScheduleProblemAt[] = ["cron", "timezone", "rpo"];
const UNIT_WORDS: Record<RpoUnit, string> = { minutes: "minutes", hours: "hours", days: "days" };

/**
 * The form. `schedule` null: a new schedule of `databaseId`. `engine` is the schedule engine once loaded
 * (undefined while it loads: the preview waits, and a Save is judged by the API alone).
 */
export function ScheduleFormView({
  idPrefix,
  databaseId,
  schedule,
  engine,
  onSaved,
  onCancel,
}: {
  idPrefix: string;
  databaseId: string;
  schedule: Schedule | null;
  engine: ScheduleEngine | undefined;
  onSaved: (schedule: Schedule | null) => Promise<void>;
  onCancel: () => void;
}) {
  const id = (name: string) => `${idPrefix}-${name}`;
  const [form, setForm] = useState<ScheduleForm>(() => formOf(schedule));
  const [tried, setTried] = useState(false);
  const [touched, setTouched] = useState<Set<ScheduleProblemAt>>(new Set());
  const [refusal, setRefusal] = useState<ScheduleProblems>({});
  const [busy, setBusy] = useState(false);
  const zones = useMemo(knownZones, []);
  // The preview's "now": when the form opened, moved on by each edit (so it stays the next runs while typing).
  const [now, setNow] = useState(() => Date.now());

  const check = useMemo(() => engine?.checkScheduleForm(form, databaseId), [engine, form, databaseId]);
  const cron = cronOf(form);
  const timezone = form.timezone.trim() || "UTC";
  const preview = useMemo(
    () =>
      engine && !(check && !check.ok && check.problems.timezone) ? engine.previewRuns(cron, timezone, now) : undefined,
    [engine, check, cron, timezone, now],
  );
  const { body } = requestOf(form);
  const warning =
    preview && "runs" in preview && Number.isFinite(body.targetRpoMinutes)
      ? rpoWarning(body.targetRpoMinutes, preview.intervalSeconds)
      : undefined;

  const set = (patch: Partial<ScheduleForm>, at: ScheduleProblemAt) => {
    setForm((old) => ({ ...old, ...patch }));
    setNow(Date.now());
    setRefusal((old) => {
      const { [at]: _gone, form: _form, ...rest } = old;
      return rest;
    });
  };
  const touch = (at: ScheduleProblemAt) => setTouched((old) => new Set(old).add(at));

  // Shown now: the API's refusal; the form's own problems once a field was left, or after Save.
  const shown: ScheduleProblems = { ...refusal };
  if (check && !check.ok)
    for (const [at, message] of Object.entries(check.problems) as [ScheduleProblemAt, string][])
      if ((tried || touched.has(at) || at === "form") && shown[at] === undefined) shown[at] = message;

  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (check && !check.ok) {
      const first = ORDER.find((f) => check.problems[f] !== undefined);
      if (first)
        document.getElementById(id(first === "cron" ? (form.preset === "custom" ? "cron" : "preset") : first))?.focus();
      return;
    }
    const send = check?.ok ? check.body : body;
    setBusy(true);
    setRefusal({});
    try {
      if (!schedule) await onSaved(await postJson<Schedule>("/v1/schedules", { databaseId, ...send }));
      else {
        const changes = changesOf(send, schedule);
        await onSaved(
          Object.keys(changes).length === 0
            ? null
            : await patchJson<Schedule>(`/v1/schedules/${encodeURIComponent(schedule.id)}`, changes),
        );
      }
    } catch (err) {
      setRefusal(err instanceof ApiError ? problemsOfRefusal(err.message) : { form: String(err) });
    } finally {
      setBusy(false);
    }
  };

  const described = (at: ScheduleProblemAt, hint?: string) =>
    [hint ? id(hint) : "", shown[at] ? id(`${at}-problem`) : ""].filter(Boolean).join(" ") || undefined;
  const problem = (at: ScheduleProblemAt) =>
    shown[at] ? (
      <p class="field-problem" id={id(`${at}-problem`)} data-problem={at}>
        {shown[at]}
      </p>
    ) : null;

  const when = {
    id,
    set: (p: Partial<ScheduleForm>, at: ScheduleProblemAt) => set(p, at),
    touch,
    invalid: (at: ScheduleProblemAt) => (shown[at] ? ("true" as const) : undefined),
    described,
  };

  return (
    <form class="schedule-form" noValidate onSubmit={(e) => void submit(e)} data-schedule-form>
      <fieldset>
        <legend>When it runs</legend>
        <CronPresetFields form={form} cron={cron} cronPlaceholder="*/30 * * * *" {...when} />
        {problem("cron")}
      </fieldset>
      <ZoneField
        form={form}
        zones={zones}
        hint="The wall clock the hours are read on, e.g. Europe/Berlin (empty: UTC); daylight saving moves the runs with it"
        problem={problem("timezone")}
        {...when}
      />
      <div class="field">
        <label for={id("rpo")}>Target RPO</label>
        <div class="rpo-inputs">
          <input
            id={id("rpo")}
            name="rpo"
            type="text"
            inputMode="numeric"
            autoComplete="off"
            value={form.rpo}
            aria-invalid={shown.rpo ? "true" : undefined}
            aria-describedby={[described("rpo", "rpo-hint"), warning ? id("rpo-warning") : ""]
              .filter(Boolean)
              .join(" ")}
            onInput={(e) => set({ rpo: e.currentTarget.value }, "rpo")}
            onBlur={() => touch("rpo")}
          />
          <select
            id={id("rpo-unit")}
            aria-label="Target RPO unit"
            value={form.rpoUnit}
            onChange={(e) => set({ rpoUnit: e.currentTarget.value as RpoUnit }, "rpo")}
          >
            {(Object.keys(RPO_UNITS) as RpoUnit[]).map((u) => (
              <option key={u} value={u}>
                {UNIT_WORDS[u]}
              </option>
            ))}
          </select>
        </div>
        <span class="muted small" id={id("rpo-hint")}>
          How old the last backup may get before the database reads as breached (5 minutes to 90 days)
        </span>
        {problem("rpo")}
        {warning ? (
          <p class="field-warning" id={id("rpo-warning")} data-rpo-warning>
            <span aria-hidden="true">▲ </span>
            {warning}
          </p>
        ) : null}
      </div>
      <div class="field">
        <label class="inline" for={id("enabled")}>
          <input
            id={id("enabled")}
            type="checkbox"
            checked={form.enabled}
            onChange={(e) => set({ enabled: e.currentTarget.checked }, "form")}
          />{" "}
          Enabled
        </label>
        <span class="muted small">A paused schedule queues nothing and sets no target.</span>
      </div>
      <RunsPreview
        headingId={id("preview-h")}
        word="runs"
        preview={preview}
        timezone={timezone}
        enabled={form.enabled}
        loading={engine === undefined}
        cron={cron}
      />
      {shown.form ? (
        <div class="alert error" role="alert" data-problem="form">
          <p>{shown.form}</p>
        </div>
      ) : null}
      <p class="channel-actions">
        <button type="submit" disabled={busy}>
          {schedule ? "Save schedule" : "Create schedule"}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </form>
  );
}
