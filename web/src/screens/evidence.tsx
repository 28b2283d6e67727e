import { useState } from "preact/hooks";
import { ApiError, getJson, postForBlob } from "../api/client.js";
import type { EvidenceExportList } from "@walwarden/verifier/wire";
import { CopyButton } from "../components/copy-button.js";
import { EmptyState } from "../components/empty-state.js";
import { KeysPanel } from "../components/keys-panel.js";
import { LoadState } from "../components/load-state.js";
import { Time } from "../components/time.js";
import { formatBytes, shortHash } from "../lib/format.js";
import { pinnedVkeys } from "../lib/pinned-keys.js";
import { dayIn, periodIn, zoneName } from "../lib/preferences.js";
import { usePreferences } from "../lib/preferences-hooks.js";
import { useApi } from "../lib/use-api.js";
import { usePinnedKeys } from "../lib/use-pinned-keys.js";

interface Exported {
  url: string;
  fileName: string;
  bytes: number;
  sha256: string;
  exportId: string | null;
  window: string | null;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Exports an evidence bundle for a period of days and says how an auditor verifies it offline (verify.html,
 * pinned keys). The days are those of the zone chosen in the header (UTC or this computer's), as are the
 * past exports' times below.
 */
export function EvidenceScreen() {
  const { timeZone } = usePreferences();
  const [fromDate, setFromDate] = useState(() => dayIn(new Date(Date.now() - 30 * 86_400_000), timeZone));
  const [toDate, setToDate] = useState(() => dayIn(new Date(), timeZone));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [exported, setExported] = useState<Exported | undefined>();
  const keys = usePinnedKeys();
  const past = useApi("evidence", () => getJson<EvidenceExportList>("/v1/evidence?limit=20"));

  const run = async () => {
    setProblem(undefined);
    if (!fromDate || !toDate || fromDate > toDate)
      return setProblem("Choose a period whose first day is not after its last day.");
    setBusy(true);
    try {
      const { blob, headers } = await postForBlob(
        "/v1/evidence",
        periodIn(fromDate, toDate, timeZone),
        "application/zip",
      );
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const fileName =
        /filename="([^"]+)"/.exec(headers.get("content-disposition") ?? "")?.[1] ??
        `walwarden-evidence-${fromDate}-${toDate}.zip`;
      if (exported) URL.revokeObjectURL(exported.url);
      setExported({
        url: URL.createObjectURL(new Blob([bytes], { type: "application/zip" })),
        fileName,
        bytes: bytes.length,
        sha256: await sha256Hex(bytes),
        exportId: headers.get("x-walwarden-export-id"),
        window: headers.get("x-walwarden-log-window"),
      });
      void past.reload();
    } catch (e) {
      setProblem(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const vkeys = keys.comparison ? pinnedVkeys(keys.comparison.pinned) : [];
  return (
    <>
      <h1>Evidence export</h1>
      <p class="muted">
        A zip of every log entry in the period with the proofs that they are complete and unaltered, each backup's
        signed manifest, restore histories and a readable report. Your auditor verifies it offline with{" "}
        <a href="/verify.html">the standalone verify page</a> or <code>npx walwarden-verify bundle</code>, against keys
        they pinned. The export itself is logged.
      </p>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <div class="field">
          <label for="ev-from">First day ({zoneName(timeZone)})</label>
          <input
            id="ev-from"
            type="date"
            required
            value={fromDate}
            onInput={(e) => setFromDate(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="ev-to">Last day ({zoneName(timeZone)}, included)</label>
          <input id="ev-to" type="date" required value={toDate} onInput={(e) => setToDate(e.currentTarget.value)} />
        </div>
        <div class="field actions">
          <button type="submit" disabled={busy}>
            {busy ? "Exporting…" : "Export evidence"}
          </button>
        </div>
      </form>
      {problem ? (
        <p class="alert error" role="alert">
          Could not export: {problem}
        </p>
      ) : null}
      {exported ? (
        <section class="panel" aria-labelledby="exported-h" data-exported>
          <h2 id="exported-h">Bundle ready</h2>
          <p>
            <a class="button download" href={exported.url} download={exported.fileName} data-download>
              Download {exported.fileName}
            </a>{" "}
            <span class="muted">({formatBytes(exported.bytes)})</span>
          </p>
          <dl class="facts">
            <div>
              <dt>SHA-256 of the zip</dt>
              <dd>
                <code class="wrap">{exported.sha256}</code>
              </dd>
            </div>
            <div>
              <dt>Export id</dt>
              <dd>
                <code class="wrap">{exported.exportId ?? "—"}</code>
              </dd>
            </div>
            <div>
              <dt>Log window (start–end/head)</dt>
              <dd>
                <code class="wrap">{exported.window ?? "—"}</code>
              </dd>
            </div>
          </dl>
          <h3>To verify it offline</h3>
          <ol>
            <li>
              Save{" "}
              <a href="/verify.html" download="walwarden-verify.html">
                walwarden-verify.html
              </a>{" "}
              (one self-contained file that makes no network request) and open it from disk.
            </li>
            <li>
              Paste the verifier keys you trust (the ones pinned in this browser are below), then drop the zip on the
              page.
            </li>
          </ol>
          {vkeys.length ? <CopyButton text={vkeys.join("\n")} label="Copy the pinned keys" /> : null}
        </section>
      ) : null}
      <KeysPanel keys={keys} />
      <h2>Past exports</h2>
      <LoadState error={past.error} loading={past.loading && !past.data} what="past exports" />
      {past.data && past.data.items.length === 0 ? <EmptyState title="No exports yet" /> : null}
      {past.data && past.data.items.length > 0 ? (
        <div class="table-wrap stack-on-phone">
          <table>
            <caption class="sr-only">Past exports, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Exported</th>
                <th scope="col">By</th>
                <th scope="col">Period</th>
                <th scope="col">Log entries</th>
                <th scope="col">Index SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {past.data.items.map((x) => (
                <tr key={x.exportId}>
                  <th scope="row" data-label="Exported">
                    <Time iso={x.at} />
                  </th>
                  <td data-label="By">
                    <code class="wrap">{x.actor}</code>
                  </td>
                  <td data-label="Period">
                    <Time iso={x.from} /> – <Time iso={x.to} />
                  </td>
                  <td data-label="Log entries">
                    {x.startSeq}–{x.endSeq}
                  </td>
                  <td data-label="Index SHA-256">
                    <code title={x.indexSha256}>{shortHash(x.indexSha256)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
