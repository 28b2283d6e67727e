import { useMemo } from "preact/hooks";

/** Every IANA zone this browser knows, UTC first (for the field's suggestions; the schema judges what is typed). */
function knownZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...zones.filter((z) => z !== "UTC")];
}

/** The policy's time zone: typed, with the browser's zones as suggestions, and its problem when wrong. */
export function ZoneField({
  inputId,
  value,
  problem,
  onInput,
  onBlur,
}: {
  inputId: string;
  value: string;
  problem: string | undefined;
  onInput: (value: string) => void;
  onBlur: () => void;
}) {
  const zones = useMemo(knownZones, []);
  const hint = `${inputId}-hint`;
  const problemId = `${inputId}-problem`;
  return (
    <div class="field zone-field">
      <label for={inputId}>Time zone</label>
      <input
        id={inputId}
        name="timezone"
        type="text"
        list={`${inputId}-zones`}
        autoComplete="off"
        spellcheck={false}
        placeholder="UTC"
        value={value}
        aria-invalid={problem ? "true" : undefined}
        aria-describedby={problem ? `${hint} ${problemId}` : hint}
        onInput={(e) => onInput(e.currentTarget.value)}
        onBlur={onBlur}
      />
      <datalist id={`${inputId}-zones`}>
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <span class="muted small" id={hint}>
        The calendar hours, days, weeks, months and years are counted in, e.g. Europe/Berlin (empty: UTC)
      </span>
      {problem ? (
        <p class="field-problem" id={problemId} data-problem="timezone">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
