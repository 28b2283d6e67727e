// The settings checks (lib/settings-checks.ts: the API's own schemas) loaded on first use into the
// verifier's chunk, so the settings screens draw, and the main bundle stays, without zod.
import { useEffect, useState } from "preact/hooks";

/** The checks module. */
export type SettingsChecks = typeof import("./settings-checks.js");

let loading: Promise<SettingsChecks> | undefined;

/** Loads the checks once; every caller gets the same module (a failed load is tried again next time). */
export function loadSettingsChecks(): Promise<SettingsChecks> {
  loading ??= import("./settings-checks.js").catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/** The checks once loaded (undefined until then). */
export function useSettingsChecks(): SettingsChecks | undefined {
  const [checks, setChecks] = useState<SettingsChecks | undefined>();
  useEffect(() => {
    let live = true;
    loadSettingsChecks()
      .then((m) => live && setChecks(m))
      .catch(() => undefined); // a submit loads it again and says why if it fails
    return () => {
      live = false;
    };
  }, []);
  return checks;
}
