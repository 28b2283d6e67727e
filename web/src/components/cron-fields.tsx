// The "when" fields that the schedule form and the drill policy editor share: a preset (with its weekday and
// hour) or a custom cron, the time zone, and the preview of the next runs. Each form keeps its own state, checks and problem messages; these
// only draw the fields and report edits, so both read and behave alike.
import type { ComponentChildren } from "preact";
import { hourWords, PRESET_WORDS, PRESETS, type Preset, runWords, spanWords, WEEKDAYS } from "../lib/schedule.js";

/** The part of a form these fields read and write. */
export interface WhenForm {
  preset: Preset;
  hour: string;
  weekday: string;
  cron: string;
  timezone: string;
}

/** The two fields a problem can be shown at. */
export type WhenField = "cron" | "timezone";

/** How a form lets these fields read its state and report edits. */
export interface WhenFieldProps {
  form: WhenForm;
  /** The form's element id of a part ("preset", "cron", …). */
  id: (part: string) => string;
  set: (patch: Partial<WhenForm>, at: WhenField) => void;
  touch: (at: WhenField) => void;
  invalid: (at: WhenField) => "true" | undefined;
  described: (at: WhenField, hint?: string) => string | undefined;
}

/** Every IANA zone this browser knows, UTC first (suggestions only; the schema judges what is typed). */
export function knownZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...zones.filter((z) => z !== "UTC")];
}

/**
 * The preset select, the weekday and hour it asks for, or the custom cron input. `cron` is the expression the
 * current preset stands for, carried into the custom field when the user switches to it.
 */
export function CronPresetFields({
  form,
  cron,
  cronPlaceholder,
  id,
  set,
  touch,
  invalid,
  described,
}: WhenFieldProps & { cron: string; cronPlaceholder: string }) {
  return (
    <div class="schedule-when">
      <div class="field">
        <label for={id("preset")}>Runs</label>
        <select
          id={id("preset")}
          value={form.preset}
          aria-invalid={form.preset !== "custom" ? invalid("cron") : undefined}
          aria-describedby={form.preset !== "custom" ? described("cron") : undefined}
          onChange={(e) => set({ preset: e.currentTarget.value as Preset, cron }, "cron")}
        >
          {PRESETS.map((p) => (
            <option key={p} value={p}>
              {PRESET_WORDS[p]}
            </option>
          ))}
        </select>
      </div>
      {form.preset === "weekly" ? (
        <div class="field">
          <label for={id("weekday")}>On</label>
          <select
            id={id("weekday")}
            value={form.weekday}
            onChange={(e) => set({ weekday: e.currentTarget.value }, "cron")}
          >
            {WEEKDAYS.map((d, i) => (
              <option key={d} value={String(i)}>
                {d}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {form.preset === "daily" || form.preset === "weekly" ? (
        <div class="field">
          <label for={id("hour")}>At</label>
          <select id={id("hour")} value={form.hour} onChange={(e) => set({ hour: e.currentTarget.value }, "cron")}>
            {Array.from({ length: 24 }, (_, h) => (
              <option key={h} value={String(h)}>
                {hourWords(h)}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {form.preset === "custom" ? (
        <div class="field cron-field">
          <label for={id("cron")}>Cron expression</label>
          <input
            id={id("cron")}
            name="cron"
            type="text"
            autoComplete="off"
            spellcheck={false}
            placeholder={cronPlaceholder}
            value={form.cron}
            aria-invalid={invalid("cron")}
            aria-describedby={described("cron", "cron-hint")}
            onInput={(e) => set({ cron: e.currentTarget.value }, "cron")}
            onBlur={() => touch("cron")}
          />
          <span class="muted small" id={id("cron-hint")}>
            Five fields: minute hour day-of-month month day-of-week
          </span>
        </div>
      ) : null}
    </div>
  );
}

/** The time zone input with the browser's zones as suggestions, a hint, and the form's problem for it. */
export function ZoneField({
  form,
  zones,
  hint,
  problem,
  id,
  set,
  touch,
  invalid,
  described,
}: WhenFieldProps & { zones: readonly string[]; hint: string; problem: ComponentChildren }) {
  return (
    <div class="field zone-field">
      <label for={id("timezone")}>Time zone</label>
      <input
        id={id("timezone")}
        name="timezone"
        type="text"
        list={id("zones")}
        autoComplete="off"
        spellcheck={false}
        placeholder="UTC"
        value={form.timezone}
        aria-invalid={invalid("timezone")}
        aria-describedby={described("timezone", "timezone-hint")}
        onInput={(e) => set({ timezone: e.currentTarget.value }, "timezone")}
        onBlur={() => touch("timezone")}
      />
      <datalist id={id("zones")}>
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <span class="muted small" id={id("timezone-hint")}>
        {hint}
      </span>
      {problem}
    </div>
  );
}

/** The next runs as the browser's copy of the Worker's cron module works them out, or why there are none. */
export type RunsPreviewState = { runs: number[]; intervalSeconds: number | null } | { problem: string } | undefined;

/**
 * The next runs in the zone ("Next 5 runs", or "drills" for a drill policy), with the longest gap between them.
 * `headingId` labels the section.
 */
export function RunsPreview({
  headingId,
  word,
  preview,
  timezone,
  enabled,
  loading,
  cron,
}: {
  headingId: string;
  word: "runs" | "drills";
  preview: RunsPreviewState;
  timezone: string;
  enabled: boolean;
  loading: boolean;
  cron: string;
}) {
  return (
    <section class="schedule-preview" aria-labelledby={headingId}>
      <h3 id={headingId}>
        Next 5 {word}
        {enabled ? "" : " (once enabled)"}
      </h3>
      {preview === undefined ? (
        <p class="muted" role="status">
          {loading ? `Working out the next ${word}…` : "No preview until the time zone is one this browser knows."}
        </p>
      ) : "problem" in preview ? (
        <p class="muted" role="status" data-preview-problem>
          No preview: {preview.problem}.
        </p>
      ) : (
        <>
          <ol class="preview-runs" data-preview-runs data-cron={cron} data-timezone={timezone}>
            {preview.runs.map((t) => (
              <li key={t} data-run={new Date(t).toISOString()}>
                <time dateTime={new Date(t).toISOString()} title={new Date(t).toISOString()}>
                  {runWords(t, timezone)}
                </time>
              </li>
            ))}
          </ol>
          <p class="muted small">
            {preview.intervalSeconds === null
              ? `It ${word} only once.`
              : `The longest gap between ${word} is ${spanWords(preview.intervalSeconds)}.`}{" "}
            Worked out in this browser by the Worker's own cron code, in {timezone}.
          </p>
        </>
      )}
    </section>
  );
}
