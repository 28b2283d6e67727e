import { ageSeconds, formatAge, formatTime } from "../lib/format.js";
import { usePreferences } from "../lib/preferences-hooks.js";

/**
 * A time in the dashboard's one style ("2 Dec 2026, 14:05"), in the zone chosen in the header ("… UTC" in
 * UTC), or as an age; machine-readable in datetime, the exact instant in the title.
 */
export function Time({ iso, relative = false }: { iso: string | null | undefined; relative?: boolean }) {
  const { timeZone } = usePreferences();
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={relative ? `${formatTime(iso, timeZone)} (${iso})` : iso}>
      {relative ? formatAge(ageSeconds(iso)) : formatTime(iso, timeZone)}
    </time>
  );
}
