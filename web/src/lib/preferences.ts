// The viewer's display preferences, chosen in the header and remembered in this browser (localStorage):
// the colour scheme (light, dark or the system's) and the time zone times are shown in (this computer's
// or UTC). A store the header's controls write and the screens read; every reader is told of a change,
// also one made in another tab. Reading or writing storage never throws (private windows, quotas).

/** The colour scheme chosen: "system" follows the operating system's `prefers-color-scheme`. */
export type ThemePreference = "light" | "dark" | "system";
/** The time zone times are shown in: this computer's, or UTC. */
export type TimeZonePreference = "local" | "utc";

/** Where each preference is kept. */
export const STORAGE_KEYS = { theme: "walwarden.theme.v1", timeZone: "walwarden.timeZone.v1" } as const;

export const THEME_PREFERENCES: readonly ThemePreference[] = ["system", "light", "dark"];
export const TIME_ZONE_PREFERENCES: readonly TimeZonePreference[] = ["local", "utc"];

/** A stored theme, or "system" for anything else (nothing stored, an old or foreign value). */
export function parseTheme(stored: string | null | undefined): ThemePreference {
  return stored === "light" || stored === "dark" ? stored : "system";
}
/** A stored time zone, or "local" for anything else. */
export function parseTimeZone(stored: string | null | undefined): TimeZonePreference {
  return stored === "utc" ? "utc" : "local";
}

/** The scheme actually shown: the choice, or the system's when the choice is "system". */
export function resolveTheme(pref: ThemePreference, systemDark: boolean): "light" | "dark" {
  return pref === "system" ? (systemDark ? "dark" : "light") : pref;
}

/** The IANA zone Intl formats with for a preference (undefined: this computer's). */
export function intlTimeZone(zone: TimeZonePreference): string | undefined {
  return zone === "utc" ? "UTC" : undefined;
}

/** How a zone is named beside a control or a date field: "UTC", or this computer's zone ("Europe/Berlin"). */
export function zoneName(zone: TimeZonePreference): string {
  if (zone === "utc") return "UTC";
  return new Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
}

/** The calendar day (YYYY-MM-DD) of an instant in the zone. */
export function dayIn(at: Date, zone: TimeZonePreference): string {
  if (zone === "utc") return at.toISOString().slice(0, 10);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}`;
}

/**
 * [from, to) of the days `firstDay` to `lastDay` (YYYY-MM-DD, both included) in the zone, as instants: from
 * the first day's midnight to the midnight after the last (local midnights follow daylight saving time).
 */
export function periodIn(firstDay: string, lastDay: string, zone: TimeZonePreference): { from: string; to: string } {
  const [fy, fm, fd] = firstDay.split("-").map(Number) as [number, number, number];
  const [ly, lm, ld] = lastDay.split("-").map(Number) as [number, number, number];
  const from = zone === "utc" ? new Date(Date.UTC(fy, fm - 1, fd)) : new Date(fy, fm - 1, fd);
  const to = zone === "utc" ? new Date(Date.UTC(ly, lm - 1, ld + 1)) : new Date(ly, lm - 1, ld + 1);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** What the store needs of localStorage (injected in tests). */
export interface PreferenceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The preferences and who is told when they change. */
export interface Preferences {
  theme: ThemePreference;
  timeZone: TimeZonePreference;
}

type Listener = (p: Preferences) => void;

/** A preference store over a storage (this browser's localStorage by default). */
export function preferenceStore(storage: PreferenceStorage | undefined) {
  const read = (key: string): string | null => {
    try {
      return storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  };
  let current: Preferences = {
    theme: parseTheme(read(STORAGE_KEYS.theme)),
    timeZone: parseTimeZone(read(STORAGE_KEYS.timeZone)),
  };
  const listeners = new Set<Listener>();
  const set = (next: Partial<Preferences>) => {
    current = { ...current, ...next };
    try {
      if (next.theme) storage?.setItem(STORAGE_KEYS.theme, next.theme);
      if (next.timeZone) storage?.setItem(STORAGE_KEYS.timeZone, next.timeZone);
    } catch {
      // Not remembered (storage full or refused): still applied to this page.
    }
    for (const l of listeners) l(current);
  };
  return {
    get: (): Preferences => current,
    set,
    /** Reads storage again (another tab changed it) and tells the listeners if anything changed. */
    reload: () => {
      const again = {
        theme: parseTheme(read(STORAGE_KEYS.theme)),
        timeZone: parseTimeZone(read(STORAGE_KEYS.timeZone)),
      };
      if (again.theme === current.theme && again.timeZone === current.timeZone) return;
      current = again;
      for (const l of listeners) l(current);
    },
    subscribe: (l: Listener): (() => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

/** A preference store. */
export type PreferenceStore = ReturnType<typeof preferenceStore>;

function browserStorage(): PreferenceStorage | undefined {
  try {
    return typeof localStorage === "undefined" ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

/** This page's preferences. */
export const preferences: PreferenceStore = preferenceStore(browserStorage());

/** The time zone times are shown in now (what formatTime uses unless told). */
export function currentTimeZone(): TimeZonePreference {
  return preferences.get().timeZone;
}

/** Puts the theme on <html> (data-theme="light" or "dark"; none for the system's), which app.css reads. */
export function applyTheme(
  theme: ThemePreference,
  root: HTMLElement | undefined = globalThis.document?.documentElement,
) {
  if (!root) return;
  if (theme === "system") delete root.dataset.theme;
  else root.dataset.theme = theme;
}

if (typeof window !== "undefined") {
  applyTheme(preferences.get().theme);
  preferences.subscribe((p) => applyTheme(p.theme));
  window.addEventListener("storage", (e) => {
    if (e.key === STORAGE_KEYS.theme || e.key === STORAGE_KEYS.timeZone || e.key === null) preferences.reload();
  });
}
