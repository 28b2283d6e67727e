// The retention engine (lib/retention-engine.ts: the verifier's decision and the API's schema) loaded on first
// use into the verifier's chunk, so the database screen draws before it arrives.
import { useEffect, useState } from "preact/hooks";

/** The engine module. */
export type RetentionEngine = typeof import("./retention-engine.js");

let loading: Promise<RetentionEngine> | undefined;

/** The engine once loaded (undefined until then, or an error message if its chunk would not load). */
export function useRetentionEngine(): RetentionEngine | { failed: string } | undefined {
  const [engine, setEngine] = useState<RetentionEngine | { failed: string } | undefined>();
  useEffect(() => {
    let live = true;
    (loading ??= import("./retention-engine.js"))
      .then((m) => live && setEngine(m))
      .catch((e: unknown) => live && setEngine({ failed: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
  }, []);
  return engine;
}
