import type { Drill } from "@walwarden/verifier/wire";
import { drillIsOver } from "../lib/drills.js";
import type { DrillCheckState } from "../lib/use-drill-verification.js";
import { ReportView } from "./report-view.js";

/** Who signed a verified receipt: the runner key's name, and the runner's own name when known. */
function SignedBy({ keyName, runnerName }: { keyName: string; runnerName: string | undefined }) {
  return (
    <span class="signed-by">
      signed by <code class="wrap">{keyName}</code>
      {runnerName ? <> (runner “{runnerName}”)</> : null}
    </span>
  );
}

/** Findings of a verified receipt: the checks the drill's measurements fail (none for a passed drill). */
export function Findings({ findings }: { findings: string[] }) {
  return findings.length === 0 ? (
    <p class="findings none-found">No findings: every check of the restored copy passed.</p>
  ) : (
    <ul class="findings" aria-label="Findings">
      {findings.map((f) => (
        <li key={f} class="wrap">
          {f}
        </li>
      ))}
    </ul>
  );
}

/**
 * A receipt's verification in this browser: "Verified in your browser" with who signed it and its
 * findings, or "Not verified" with the check that failed. `full` adds every check with its detail.
 */
export function ReceiptVerdict({
  drill,
  check,
  runnerName,
  full = false,
}: {
  drill: Drill;
  check: DrillCheckState;
  runnerName: string | undefined;
  full?: boolean;
}) {
  if (check.state === "no-receipt")
    return drillIsOver(drill.status) ? (
      <span class="none" data-receipt="none">
        No receipt: the drill ended without a verdict
      </span>
    ) : (
      <span class="muted" data-receipt="pending">
        Not concluded yet
      </span>
    );
  if (check.state === "verifying")
    return (
      <span class="muted" data-receipt="verifying">
        Verifying in your browser…
      </span>
    );
  if (check.state === "error")
    return (
      <span class="alert error inline" data-receipt="error">
        Could not run the verifier: {check.message}
      </span>
    );
  const { report, verified, keyName } = check.result;
  const ok = report.verdict === "verified";
  const failed = report.checks.find((c) => c.status === "fail");
  return (
    <div class="receipt-verdict" data-receipt={report.verdict}>
      <p class="verdict-line" role={full ? "status" : undefined}>
        <span class={`badge ${ok ? "good" : "bad"}`}>
          <span aria-hidden="true">{ok ? "✔ " : "✘ "}</span>
          {ok ? "Verified in your browser" : "Not verified"}
        </span>{" "}
        {ok && keyName ? <SignedBy keyName={keyName} runnerName={runnerName} /> : null}
      </p>
      {!ok && failed ? <p class="wrap small failed-check">{failed.detail}</p> : null}
      {ok && verified ? <Findings findings={verified.findings} /> : null}
      {full ? (
        <div class="stack-on-phone">
          <ReportView report={report} caption="Checks of this drill's receipt, run in this browser" checksOnly />
        </div>
      ) : null}
    </div>
  );
}
