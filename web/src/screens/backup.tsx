import { useState } from "preact/hooks";
import type { Report } from "@walwarden/verifier";
import { getJson } from "../api/client.js";
import type { BackupDetail } from "@walwarden/verifier/wire";
import { KeysPanel } from "../components/keys-panel.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { ReportView } from "../components/report-view.js";
import { RestoreIssue } from "../components/restore-issue.js";
import { Time } from "../components/time.js";
import { Truncated } from "../components/truncated.js";
import { formatBytes, formatDuration } from "../lib/format.js";
import { readStatement } from "../lib/manifest.js";
import { hasRole, useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";
import { usePinnedKeys } from "../lib/use-pinned-keys.js";
import { fetchEntryText } from "../lib/entry-text.js";
import { ManifestFacts } from "./manifest-facts.js";

/** Optional witness keys (one vkey a line) and quorum for the check, as the offline verify page takes them. */
function WitnessKeyFields({
  text,
  quorum,
  problem,
  onText,
  onQuorum,
}: {
  text: string;
  quorum: string;
  problem?: { field: "witnesses" | "quorum"; message: string };
  onText: (v: string) => void;
  onQuorum: (v: string) => void;
}) {
  const at = (f: "witnesses" | "quorum") => (problem?.field === f ? problem.message : undefined);
  return (
    <div class="settings-form">
      <div class="field settings-field">
        <label for="verify-witnesses">Witness keys (one vkey per line, optional)</label>
        <textarea
          id="verify-witnesses"
          rows={2}
          spellcheck={false}
          value={text}
          aria-invalid={at("witnesses") ? "true" : undefined}
          aria-describedby={`verify-witnesses-hint${at("witnesses") ? " verify-witnesses-problem" : ""}`}
          onInput={(e) => onText(e.currentTarget.value)}
        />
        <span class="muted small" id="verify-witnesses-hint">
          Witnesses you require, e.g. a runner's vkey from the <Link href="/witnesses">Witnesses</Link> screen: the
          checkpoint must carry their cosignatures (check <code>kit.witnesses</code>).
        </span>
        {at("witnesses") ? (
          <p class="field-problem" id="verify-witnesses-problem" data-problem="verify-witnesses">
            {at("witnesses")}
          </p>
        ) : null}
      </div>
      <div class="field settings-field">
        <label for="verify-quorum">Witness quorum (optional; empty: all of them)</label>
        <input
          id="verify-quorum"
          type="text"
          inputMode="numeric"
          value={quorum}
          aria-invalid={at("quorum") ? "true" : undefined}
          aria-describedby={at("quorum") ? "verify-quorum-problem" : undefined}
          onInput={(e) => onQuorum(e.currentTarget.value)}
        />
        {at("quorum") ? (
          <p class="field-problem" id="verify-quorum-problem" data-problem="verify-quorum">
            {at("quorum")}
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** One backup: its manifest's fields, its log entry, verification in this browser, and (operators) a restore. */
export function BackupScreen({ id }: { id: string }) {
  const me = useSession();
  const backup = useApi(`backup:${id}`, () => getJson<BackupDetail>(`/v1/backups/${encodeURIComponent(id)}`));
  const b = backup.data;
  const entry = useApi(b ? `entry:${b.logSeq}` : null, () => fetchEntryText(b!.logSeq));
  const database = useApi(b ? `db:${b.databaseId}` : null, () =>
    getJson<{ name: string }>(`/v1/databases/${encodeURIComponent(b!.databaseId)}`),
  );
  const keys = usePinnedKeys();
  const [report, setReport] = useState<Report | undefined>();
  const [verifyError, setVerifyError] = useState<string | undefined>();
  const [witnessText, setWitnessText] = useState("");
  const [quorumText, setQuorumText] = useState("");
  const [witnessProblem, setWitnessProblem] = useState<{ field: "witnesses" | "quorum"; message: string }>();
  const statement = b ? readStatement(b.envelope) : undefined;

  const verify = async () => {
    setReport(undefined);
    setVerifyError(undefined);
    const pinned = keys.comparison?.pinned;
    if (!b || !entry.data || !pinned)
      return setVerifyError("The backup, its log entry or the pinned keys are not loaded yet.");
    try {
      const [{ verifyBackupKit }, { witnessOptions }] = await Promise.all([
        import("../lib/verify-backup.js"),
        import("../lib/witness-keys.js"),
      ]);
      const witnessed = witnessOptions(witnessText, quorumText);
      if (!witnessed.ok) {
        setWitnessProblem({ field: witnessed.field, message: witnessed.message });
        document.getElementById(`verify-${witnessed.field}`)?.focus();
        return;
      }
      setReport(verifyBackupKit(b, entry.data, pinned, me.principal.orgId, witnessed.value));
    } catch (e) {
      setVerifyError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <>
      <p class="crumbs">
        <Link href="/databases">Databases</Link> /{" "}
        {b ? (
          <Link href={`/databases/${b.databaseId}`}>
            <Truncated text={database.data?.name ?? b.databaseId} />
          </Link>
        ) : (
          "…"
        )}{" "}
        /
      </p>
      <h1>
        Backup <code class="title-code">{id}</code>
      </h1>
      <LoadState error={backup.error} loading={backup.loading && !b} what="the backup" />
      {b ? (
        <>
          <section class="panel" aria-labelledby="summary-h">
            <h2 id="summary-h">Summary</h2>
            <dl class="facts">
              <div>
                <dt>Completed</dt>
                <dd>
                  <Time iso={b.completedAt} />
                </dd>
              </div>
              <div>
                <dt>Size</dt>
                <dd>{formatBytes(b.sizeBytes)}</dd>
              </div>
              <div>
                <dt>Duration</dt>
                <dd>{formatDuration(b.durationMs)}</dd>
              </div>
              <div>
                <dt>Artifact</dt>
                <dd>
                  <code class="wrap">{b.artifactUri}</code>
                </dd>
              </div>
              <div>
                <dt>Artifact SHA-256</dt>
                <dd>
                  <code class="wrap">{b.sha256}</code>
                </dd>
              </div>
              <div>
                <dt>Manifest hash</dt>
                <dd>
                  <code class="wrap">{b.manifestSha256}</code>
                </dd>
              </div>
            </dl>
            {b.expiredAt !== null ? (
              <p class="alert info" data-expired>
                Deleted by the retention policy at <Time iso={b.expiredAt} />: its objects are gone from the bucket, so
                it cannot be restored. Its signed manifest and log entry stay, and still verify.
              </p>
            ) : hasRole(me.principal.role, "operator") ? (
              <RestoreIssue
                target={{
                  backupId: b.id,
                  artifactUri: b.artifactUri,
                  // The confirmation names the database: wait for its name (its id only if it cannot be read).
                  databaseName: database.data?.name ?? (database.error ? b.databaseId : undefined),
                  completedAt: b.completedAt,
                }}
              />
            ) : (
              <p class="muted">Restores are issued by operators.</p>
            )}
          </section>

          <section class="panel" aria-labelledby="verify-h">
            <h2 id="verify-h">Verify in this browser</h2>
            <p class="muted">
              Runs <code>@walwarden/verifier</code> here: the manifest's signature, that the log entry is this backup's,
              that the checkpoint is signed for your org's log, and the entry's inclusion proof, all against the keys
              pinned in this browser. The artifact itself stays in your bucket;
              <code> walwarden restore</code> checks its SHA-256 before restoring.
            </p>
            <KeysPanel keys={keys} />
            <WitnessKeyFields
              text={witnessText}
              quorum={quorumText}
              problem={witnessProblem}
              onText={(v) => {
                setWitnessText(v);
                setWitnessProblem(undefined);
              }}
              onQuorum={(v) => {
                setQuorumText(v);
                setWitnessProblem(undefined);
              }}
            />
            <p>
              <button type="button" onClick={() => void verify()} disabled={!entry.data || !keys.comparison}>
                Verify in browser
              </button>
            </p>
            {verifyError ? (
              <p class="alert error" role="alert">
                {verifyError}
              </p>
            ) : null}
            {report ? (
              <ReportView report={report} caption="Checks of this backup's manifest, log entry and proof" />
            ) : null}
          </section>

          <section class="panel" aria-labelledby="manifest-h">
            <h2 id="manifest-h">Manifest</h2>
            {statement?.ok ? (
              <ManifestFacts statement={statement.value} />
            ) : (
              <p class="alert error">The manifest cannot be read: {statement?.message}</p>
            )}
            <details>
              <summary>Signed envelope (DSSE)</summary>
              <pre class="code">{JSON.stringify(b.envelope, null, 2)}</pre>
            </details>
          </section>

          <section class="panel" aria-labelledby="entry-h">
            <h2 id="entry-h">Log entry #{b.logSeq}</h2>
            <LoadState error={entry.error} loading={entry.loading && !entry.data} what="the log entry" />
            {entry.data ? (
              <pre class="code" data-entry>
                {JSON.stringify(JSON.parse(entry.data), null, 2)}
              </pre>
            ) : null}
            <details>
              <summary>Checkpoint and inclusion proof</summary>
              <pre class="code">{b.checkpoint}</pre>
              <pre class="code">{JSON.stringify(b.proof, null, 2)}</pre>
            </details>
          </section>
        </>
      ) : null}
    </>
  );
}
