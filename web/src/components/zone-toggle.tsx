import { preferences, TIME_ZONE_PREFERENCES, type TimeZonePreference, zoneName } from "../lib/preferences.js";
import { usePreferences } from "../lib/preferences-hooks.js";

const WORDS: Record<TimeZonePreference, string> = { local: "Local", utc: "UTC" };

/** The time zone every time is shown in (this computer's or UTC), in the header; remembered in this browser. */
export function ZoneToggle() {
  const { timeZone } = usePreferences();
  return (
    <span class="pref">
      <label for="pref-zone">Times</label>
      <select
        id="pref-zone"
        value={timeZone}
        title={`Times are shown in ${zoneName(timeZone)}`}
        onChange={(e) => preferences.set({ timeZone: e.currentTarget.value as TimeZonePreference })}
      >
        {TIME_ZONE_PREFERENCES.map((z) => (
          <option key={z} value={z}>
            {WORDS[z]}
          </option>
        ))}
      </select>
    </span>
  );
}
