// The schedule engine (lib/schedule-engine.ts: the API's schema and the Worker's cron module) loaded on first
// use into the verifier's chunk, so the database screen draws before it arrives.
import { useEffect, useState } from "preact/hooks";

/** The engine module. */
export type ScheduleEngine = typeof import("./schedule-engine.js");

let loading: Promise<ScheduleEngine> | undefined;

/** The engine once loaded (undefined until then, or an error message if its chunk would not load). */
export function useScheduleEngine(): ScheduleEngine | { failed: string } | undefined {
  const [engine, setEngine] = useState<ScheduleEngine | { failed: string } | undefined>();
  useEffect(() => {
    let live = true;
    (loading ??= import("./schedule-engine.js"))
      .then((m) => live && setEngine(m))
      .catch((e: unknown) => live && setEngine({ failed: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
  }, []);
  return engine;
}
