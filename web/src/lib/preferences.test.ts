import { afterAll, describe, expect, it } from "vitest";
import {
  dayIn,
  parseTheme,
  parseTimeZone,
  periodIn,
  type PreferenceStorage,
  preferenceStore,
  resolveTheme,
  STORAGE_KEYS,
  zoneName,
} from "./preferences.js";

const zoneBefore = process.env.TZ;
process.env.TZ = "Europe/Berlin";
afterAll(() => {
  if (zoneBefore === undefined) delete process.env.TZ;
  else process.env.TZ = zoneBefore;
});

/** A storage in memory, which can be made to refuse. */
function memory(
  initial: Record<string, string> = {},
  refuse = false,
): PreferenceStorage & { items: Map<string, string> } {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (k) => {
      if (refuse) throw new Error("SecurityError");
      return items.get(k) ?? null;
    },
    setItem: (k, v) => {
      if (refuse) throw new Error("QuotaExceededError");
      items.set(k, v);
    },
  };
}

describe("display preferences", () => {
  it("read what was stored, and the defaults for nothing or anything else", () => {
    expect(parseTheme("dark")).toBe("dark");
    expect(parseTheme("light")).toBe("light");
    expect(parseTheme(null)).toBe("system");
    expect(parseTheme("blue")).toBe("system");
    expect(parseTimeZone("utc")).toBe("utc");
    expect(parseTimeZone("UTC+1")).toBe("local");
    expect(parseTimeZone(undefined)).toBe("local");
  });

  it("follow the system's scheme only when the choice is System", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });

  it("remember a choice, tell every listener, and read another tab's change", () => {
    const storage = memory({ [STORAGE_KEYS.theme]: "dark" });
    const store = preferenceStore(storage);
    expect(store.get()).toEqual({ theme: "dark", timeZone: "local" });
    const seen: string[] = [];
    const stop = store.subscribe((p) => seen.push(`${p.theme}/${p.timeZone}`));
    store.set({ timeZone: "utc" });
    expect(storage.items.get(STORAGE_KEYS.timeZone)).toBe("utc");
    storage.items.set(STORAGE_KEYS.theme, "light"); // another tab
    store.reload();
    store.reload(); // nothing changed since: no one told
    stop();
    store.set({ theme: "system" });
    expect(seen).toEqual(["dark/utc", "light/utc"]);
    expect(preferenceStore(storage).get()).toEqual({ theme: "system", timeZone: "utc" });
  });

  it("still apply a choice when storage refuses it", () => {
    const store = preferenceStore(memory({}, true));
    expect(store.get()).toEqual({ theme: "system", timeZone: "local" });
    store.set({ theme: "dark" });
    expect(store.get().theme).toBe("dark");
    expect(preferenceStore(undefined).get()).toEqual({ theme: "system", timeZone: "local" });
  });

  it("name the zone and give its days and periods", () => {
    expect(zoneName("utc")).toBe("UTC");
    expect(zoneName("local")).toBe("Europe/Berlin");
    const lateEvening = new Date("2026-11-30T23:30:00Z"); // 00:30 on 1 Dec in Berlin
    expect(dayIn(lateEvening, "utc")).toBe("2026-11-30");
    expect(dayIn(lateEvening, "local")).toBe("2026-12-01");
    expect(periodIn("2026-11-01", "2026-11-30", "utc")).toEqual({
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-12-01T00:00:00.000Z",
    });
    // Berlin's midnights, across the end of summer time (25 Oct 2026): UTC+2 then UTC+1.
    expect(periodIn("2026-10-01", "2026-10-31", "local")).toEqual({
      from: "2026-09-30T22:00:00.000Z",
      to: "2026-10-31T23:00:00.000Z",
    });
  });
});
