import { preferences, THEME_PREFERENCES, type ThemePreference } from "../lib/preferences.js";
import { usePreferences } from "../lib/preferences-hooks.js";

const WORDS: Record<ThemePreference, string> = { system: "System", light: "Light", dark: "Dark" };

/** The colour scheme (light, dark or the system's), in the header; remembered in this browser. */
export function ThemeToggle() {
  const { theme } = usePreferences();
  return (
    <span class="pref">
      <label for="pref-theme">Theme</label>
      <select
        id="pref-theme"
        value={theme}
        onChange={(e) => preferences.set({ theme: e.currentTarget.value as ThemePreference })}
      >
        {THEME_PREFERENCES.map((t) => (
          <option key={t} value={t}>
            {WORDS[t]}
          </option>
        ))}
      </select>
    </span>
  );
}
