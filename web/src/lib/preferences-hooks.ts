// The display preferences (preferences.ts) in components: re-rendered when they change.
import { useEffect, useState } from "preact/hooks";
import { type Preferences, preferences, resolveTheme } from "./preferences.js";

/** The current preferences; the component renders again when one changes (here, in another tab). */
export function usePreferences(): Preferences {
  const [p, setP] = useState(preferences.get);
  useEffect(() => {
    setP(preferences.get());
    return preferences.subscribe(setP);
  }, []);
  return p;
}

/** The system's dark-scheme query (none outside a browser). */
const darkQuery = (): MediaQueryList | undefined =>
  typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : undefined;

/** The colour scheme shown now: the choice, or the system's (followed as it changes). */
export function useResolvedTheme(): "light" | "dark" {
  const { theme } = usePreferences();
  const [systemDark, setSystemDark] = useState(() => darkQuery()?.matches ?? false);
  useEffect(() => {
    const media = darkQuery();
    if (!media) return;
    const on = () => setSystemDark(media.matches);
    on();
    media.addEventListener("change", on);
    return () => media.removeEventListener("change", on);
  }, []);
  return resolveTheme(theme, systemDark);
}
