import { ageSeconds, formatAge, formatTime } from "../lib/format.js";

/** A time as local date and time (machine-readable in datetime, exact ISO in the title). */
export function Time({ iso, relative = false }: { iso: string | null | undefined; relative?: boolean }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {relative ? formatAge(ageSeconds(iso)) : formatTime(iso)}
    </time>
  );
}
