import { useEffect, useState } from "preact/hooks";
import type { Report } from "@walwarden/verifier";
import { ApiError, getJson, getText } from "../api/client.js";
import { KeysPanel } from "../components/keys-panel.js";
import { ReportView } from "../components/report-view.js";
import { useSession } from "../lib/session.js";
import { usePinnedKeys } from "../lib/use-pinned-keys.js";

/** Picks two checkpoint sizes and checks, in this browser, that both are signed and the log between them only grew. */
export function ConsistencyPanel() {
  const me = useSession();
  const keys = usePinnedKeys();
  const [head, setHead] = useState<number | undefined>();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [report, setReport] = useState<Report | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    getJson<{ treeSize: number }>("/v1/log/checkpoint")
      .then((c) => {
        setHead(c.treeSize);
        setTo(String(c.treeSize));
        setFrom(String(Math.max(1, Math.floor(c.treeSize / 2))));
      })
      .catch((e: unknown) =>
        setProblem(`could not read the newest checkpoint: ${e instanceof Error ? e.message : String(e)}`),
      );
  }, []);

  const run = async () => {
    setReport(undefined);
    setProblem(undefined);
    const f = Number(from);
    const t = Number(to);
    if (!Number.isInteger(f) || !Number.isInteger(t) || f < 1 || t < f)
      return setProblem("Choose two sizes with 1 ≤ from ≤ to (RFC 9162 has no proof from the empty log).");
    const pinned = keys.comparison?.pinned;
    if (!pinned) return setProblem("The pinned keys are not loaded yet.");
    setBusy(true);
    try {
      const [fromNote, toNote, proof] = await Promise.all([
        getText(`/v1/log/checkpoints/${f}`),
        getText(`/v1/log/checkpoints/${t}`),
        getJson<{ hashes: string[] }>(`/v1/log/proofs/consistency?from=${f}&to=${t}`),
      ]);
      const { checkConsistency } = await import("../lib/consistency-check.js");
      setReport(
        checkConsistency({ fromSize: f, toSize: t, fromNote, toNote, proof: proof.hashes }, pinned, me.principal.orgId),
      );
    } catch (e) {
      setProblem(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="consistency-h">
      <h2 id="consistency-h">Consistency check</h2>
      <p class="muted">
        Fetches the signed checkpoints at two sizes and the consistency proof between them, and verifies all three here
        with your pinned checkpoint key: if it passes, nothing logged up to the first size was changed or removed by the
        second.{head !== undefined ? ` The log has ${head} entries now.` : ""}
      </p>
      <KeysPanel keys={keys} />
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <div class="field narrow">
          <label for="cc-from">From size</label>
          <input
            id="cc-from"
            type="number"
            min={1}
            step={1}
            required
            value={from}
            onInput={(e) => setFrom(e.currentTarget.value)}
          />
        </div>
        <div class="field narrow">
          <label for="cc-to">To size</label>
          <input
            id="cc-to"
            type="number"
            min={1}
            step={1}
            required
            value={to}
            onInput={(e) => setTo(e.currentTarget.value)}
          />
        </div>
        <div class="field actions">
          <button type="submit" disabled={busy || !keys.comparison}>
            {busy ? "Checking…" : "Check consistency"}
          </button>
        </div>
      </form>
      {problem ? (
        <p class="alert error" role="alert">
          {problem}
        </p>
      ) : null}
      {report ? (
        <ReportView report={report} caption={`Checkpoints ${from} and ${to} and the proof between them`} />
      ) : null}
    </section>
  );
}
