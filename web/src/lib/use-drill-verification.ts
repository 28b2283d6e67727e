// Runs verifyDrill on a drill's receipt once the verifier chunk has loaded (lazily: the database screen
// does not wait for it), again only when the receipt or what it is checked against changes.
import type { Drill, RunnerPage } from "@walwarden/verifier/wire";
import { useEffect, useMemo, useState } from "preact/hooks";
import { getJson } from "../api/client.js";
import { useApi } from "./use-api.js";
import type { BackupFacts, DrillVerification } from "./verify-drill.js";

/** Where a receipt's verification is: nothing to verify, running, done (with its report), or it could not run. */
export type DrillCheckState =
  | { state: "no-receipt" }
  | { state: "verifying" }
  | { state: "done"; result: DrillVerification }
  | { state: "error"; message: string };

/** The verification of one drill's receipt in this browser. */
export function useDrillVerification(drill: Drill | undefined, orgId: string, backup?: BackupFacts): DrillCheckState {
  const key = drill
    ? [drill.id, drill.status, drill.receiptSha256, drill.runnerVkey, drill.rtoMs, backup?.artifactSha256 ?? ""].join(
        "|",
      )
    : "";
  const [result, setResult] = useState<{ key: string; value: DrillCheckState } | undefined>();
  // The key names every field the check reads: the effect runs again only when one changes.
  useEffect(() => {
    if (!drill?.receipt) return;
    let live = true;
    import("./verify-drill.js")
      .then((m) => live && setResult({ key, value: { state: "done", result: m.verifyDrill(drill, orgId, backup) } }))
      .catch(
        (e: unknown) =>
          live && setResult({ key, value: { state: "error", message: e instanceof Error ? e.message : String(e) } }),
      );
    return () => {
      live = false;
    };
  }, [key, orgId]);
  if (!drill?.receipt) return { state: "no-receipt" };
  return result?.key === key ? result.value : { state: "verifying" };
}

/** Runner names by id (for "signed by <runner>"), refreshed rarely. */
export function useRunnerNames(): Map<string, string> {
  const runners = useApi("runners:names", () => getJson<RunnerPage>("/v1/runners?limit=200"), 60_000);
  return useMemo(() => new Map((runners.data?.items ?? []).map((r) => [r.id, r.name])), [runners.data]);
}
