// The drill policy engine (lib/drill-policy-engine.ts: the API's schema and the Worker's cron module) loaded
// on first use into the verifier's chunk, so the database screen draws before it arrives.
import { useEffect, useState } from "preact/hooks";

/** The engine module. */
export type DrillPolicyEngine = typeof import("./drill-policy-engine.js");

let loading: Promise<DrillPolicyEngine> | undefined;

/** The engine once loaded (undefined until then, or an error message if its chunk would not load). */
export function useDrillPolicyEngine(): DrillPolicyEngine | { failed: string } | undefined {
  const [engine, setEngine] = useState<DrillPolicyEngine | { failed: string } | undefined>();
  useEffect(() => {
    let live = true;
    (loading ??= import("./drill-policy-engine.js"))
      .then((m) => live && setEngine(m))
      .catch((e: unknown) => live && setEngine({ failed: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
  }, []);
  return engine;
}
