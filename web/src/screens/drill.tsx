import { useEffect } from "preact/hooks";
import type { DrillPredicate } from "@walwarden/verifier";
import type { BackupDetail, Drill } from "@walwarden/verifier/wire";
import { getJson } from "../api/client.js";
import { DrillStatusBadge } from "../components/drill-badges.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { ReceiptVerdict } from "../components/receipt-verdict.js";
import { Time } from "../components/time.js";
import { Truncated } from "../components/truncated.js";
import {
  drillIsOver,
  expectationWords,
  failureWords,
  formatRto,
  readReceipt,
  rtoAgainstTarget,
  TARGET_WORDS,
  tablesMatched,
} from "../lib/drills.js";
import { useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";
import { type DrillCheckState, useDrillVerification, useRunnerNames } from "../lib/use-drill-verification.js";

const enc = encodeURIComponent;

/**
 * One drill: what it restored, where, how long it took against the target, its receipt verified in this
 * browser (against the runner's key and the backup's artifact and manifest), every table's expected and
 * actual rows, and each assertion's result. Followed live until it concludes.
 */
export function DrillScreen({ id }: { id: string }) {
  const me = useSession();
  const drill = useApi(`drill:${id}`, () => getJson<Drill>(`/v1/drills/${enc(id)}`));
  const d = drill.data;
  const over = d ? drillIsOver(d.status) : false;
  const { reload } = drill;
  useEffect(() => {
    if (!d || over) return;
    const t = setInterval(() => void reload(), 3000);
    return () => clearInterval(t);
  }, [d === undefined, over, reload]);
  const backup = useApi(d ? `backup:${d.backupId}` : null, () =>
    getJson<BackupDetail>(`/v1/backups/${enc(d!.backupId)}`),
  );
  const database = useApi(d ? `db:${d.databaseId}` : null, () =>
    getJson<{ name: string }>(`/v1/databases/${enc(d!.databaseId)}`),
  );
  const runnerNames = useRunnerNames();
  const b = backup.data;
  // The receipt is checked against the backup's artifact and manifest once the backup has loaded (or could not be).
  const settled = b !== undefined || backup.error !== undefined;
  const check = useDrillVerification(
    settled ? d : undefined,
    me.principal.orgId,
    b ? { artifactSha256: b.sha256, artifactUri: b.artifactUri, manifestSha256: b.manifestSha256 } : undefined,
  );
  const verifiedPredicate = check.state === "done" ? check.result.verified?.predicate : undefined;
  const predicate = verifiedPredicate ?? readReceipt(d?.receipt ?? null)?.predicate;
  const runnerName = d?.runnerId ? runnerNames.get(d.runnerId) : undefined;

  return (
    <>
      <p class="crumbs">
        <Link href="/databases">Databases</Link> /{" "}
        {d ? (
          <Link href={`/databases/${d.databaseId}`}>
            <Truncated text={database.data?.name ?? d.databaseId} />
          </Link>
        ) : (
          "…"
        )}{" "}
        /
      </p>
      <h1>
        Drill <code class="title-code">{id}</code>
      </h1>
      <LoadState error={drill.error} loading={drill.loading && !d} what="the drill" />
      {d ? (
        <>
          <section class="panel" aria-labelledby="drill-summary-h">
            <h2 id="drill-summary-h">Summary</h2>
            <dl class="facts">
              <div class="wide">
                <dt>Outcome</dt>
                <dd data-fact="outcome">
                  <DrillStatusBadge status={d.status} />
                  {failureWords(d) ? <span class="reason wrap">{failureWords(d)}</span> : null}
                </dd>
              </div>
              <div>
                <dt>RTO</dt>
                <dd data-fact="rto">{rtoAgainstTarget(d.rtoMs, d.maxRtoSeconds)}</dd>
              </div>
              <div>
                <dt>Tables</dt>
                <dd data-fact="tables">{tablesMatched(d.tables)}</dd>
              </div>
              <div>
                <dt>{d.finishedAt ? "Finished" : "Queued"}</dt>
                <dd>
                  <Time iso={d.finishedAt ?? d.createdAt} />
                </dd>
              </div>
              <div>
                <dt>Backup</dt>
                <dd>
                  <Link href={`/backups/${d.backupId}`}>
                    <code class="wrap">{d.backupId}</code>
                  </Link>
                  {b ? (
                    <span class="muted small block">
                      completed <Time iso={b.completedAt} />
                    </span>
                  ) : null}
                </dd>
              </div>
              <div>
                <dt>Target</dt>
                <dd>
                  {TARGET_WORDS[d.target].long}
                  {predicate?.target.serverVersion ? ` (PostgreSQL ${predicate.target.serverVersion})` : ""}
                </dd>
              </div>
              <div>
                <dt>Why</dt>
                <dd>
                  {d.trigger === "manual" ? "asked for by an operator" : "the drill policy's schedule"}
                  {d.attempt > 1 ? `, attempt ${d.attempt}` : ""}
                </dd>
              </div>
              <div>
                <dt>Runner</dt>
                <dd>
                  {d.runnerId ? (
                    <>
                      {runnerName ? `${runnerName} ` : ""}
                      <code class="muted small">{d.runnerId}</code>
                    </>
                  ) : (
                    <span class="none">Not claimed yet</span>
                  )}
                </dd>
              </div>
            </dl>
          </section>

          <section class="panel" aria-labelledby="receipt-h">
            <h2 id="receipt-h">Receipt</h2>
            <p class="muted">
              The runner signed this receipt with its own key. Your browser checks here, with{" "}
              <code>@walwarden/verifier</code>, that it is the receipt the log records (its SHA-256), that the runner's
              key signed it, that its outcome follows from its numbers, and that it is about this drill and this
              backup's artifact and manifest.
            </p>
            {settled ? (
              <ReceiptVerdict drill={d} check={check} runnerName={runnerName} full />
            ) : (
              <p class="muted">Loading the backup to check the receipt against…</p>
            )}
            {d.receipt ? (
              <dl class="facts">
                <div class="wide">
                  <dt>Receipt SHA-256 (in the log)</dt>
                  <dd>
                    <code class="wrap">{d.receiptSha256}</code>
                  </dd>
                </div>
                <div class="wide">
                  <dt>Runner key</dt>
                  <dd>
                    <code class="wrap">{d.runnerVkey}</code>
                  </dd>
                </div>
              </dl>
            ) : null}
            {d.receipt ? (
              <details>
                <summary>Signed receipt (DSSE envelope)</summary>
                <pre class="code">{JSON.stringify(d.receipt, null, 2)}</pre>
              </details>
            ) : null}
          </section>

          {predicate ? (
            <ReceiptDetails predicate={predicate} verified={verifiedPredicate !== undefined} check={check} />
          ) : null}
        </>
      ) : null}
    </>
  );
}

/** The receipt's measurements: tables, assertions, phases and pg_restore, marked when shown unverified. */
function ReceiptDetails({
  predicate: p,
  verified,
  check,
}: {
  predicate: DrillPredicate;
  verified: boolean;
  check: DrillCheckState;
}) {
  return (
    <>
      {!verified && check.state === "done" ? (
        <p class="alert error" role="alert">
          The receipt did not verify: what follows is what it claims, not proven.
        </p>
      ) : null}
      <section aria-labelledby="tables-h">
        <h2 id="tables-h">Tables</h2>
        {p.tables.length === 0 ? (
          <p class="muted">The backup's manifest lists no tables.</p>
        ) : (
          <div class="table-wrap fits-phone">
            <table class="drill-tables">
              <caption class="sr-only">
                Rows per table: what the manifest recorded and what the restored copy holds
              </caption>
              <thead>
                <tr>
                  <th scope="col">Table</th>
                  <th scope="col" class="num">
                    Expected
                  </th>
                  <th scope="col" class="num">
                    Restored
                  </th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {p.tables.map((t) => {
                  const ok = t.actualRows === t.expectedRows;
                  return (
                    <tr key={`${t.schema}.${t.name}`} data-table={`${t.schema}.${t.name}`}>
                      <th scope="row">
                        <code class="wrap">
                          {t.schema}.{t.name}
                        </code>
                      </th>
                      <td class="num">{t.expectedRows}</td>
                      <td class="num">{t.actualRows ?? "not counted"}</td>
                      <td>
                        <span class={`check-status ${ok ? "pass" : "fail"}`}>{ok ? "matches" : "differs"}</span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <p class="small">
          Schema fingerprint:{" "}
          {p.schemaFingerprint.actual === p.schemaFingerprint.expected ? (
            <span class="check-status pass">matches the manifest's</span>
          ) : (
            <span class="check-status fail">
              {p.schemaFingerprint.actual === null ? "not taken" : "differs from the manifest's"}
            </span>
          )}{" "}
          <code class="wrap muted">{p.schemaFingerprint.expected}</code>
        </p>
      </section>

      <section aria-labelledby="assertions-h">
        <h2 id="assertions-h">Assertions</h2>
        {p.assertions.length === 0 ? (
          <p class="muted">The drill policy has no SQL assertions.</p>
        ) : (
          <div class="table-wrap stack-on-phone">
            <table class="drill-assertions">
              <caption class="sr-only">Each SQL assertion: its query, what it expects, what it returned</caption>
              <thead>
                <tr>
                  <th scope="col">Assertion</th>
                  <th scope="col">Query</th>
                  <th scope="col">Expected</th>
                  <th scope="col">Actual</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {p.assertions.map((a) => (
                  <tr key={a.name} data-assertion={a.name}>
                    <th scope="row" data-label="Assertion" class="wrap">
                      {a.name}
                    </th>
                    <td data-label="Query">
                      <code class="wrap">{a.sql}</code>
                    </td>
                    <td data-label="Expected">{expectationWords(a.expect)}</td>
                    <td data-label="Actual" class="wrap">
                      {a.actual === null ? <span class="none">NULL</span> : <code>{a.actual}</code>}
                    </td>
                    <td data-label="Result">
                      <span class={`check-status ${a.passed ? "pass" : "fail"}`}>{a.passed ? "passed" : "failed"}</span>
                      {a.error ? <span class="reason wrap">{a.error}</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section class="panel" aria-labelledby="timing-h">
        <h2 id="timing-h">Timing and pg_restore</h2>
        <dl class="facts">
          <div>
            <dt>Download and verify</dt>
            <dd>{formatRto(p.phases.downloadVerifyMs)}</dd>
          </div>
          <div>
            <dt>Restore</dt>
            <dd>{p.phases.restoreMs === null ? "did not run" : formatRto(p.phases.restoreMs)}</dd>
          </div>
          <div>
            <dt>Checks</dt>
            <dd>{p.phases.checksMs === null ? "did not run" : formatRto(p.phases.checksMs)}</dd>
          </div>
          <div>
            <dt>RTO (their sum)</dt>
            <dd>
              {formatRto(p.rto.ms)}
              {p.rto.targetMs !== null ? ` of ${formatRto(p.rto.targetMs)} allowed` : ""}
            </dd>
          </div>
          <div>
            <dt>Target setup (not in the RTO)</dt>
            <dd>{p.targetSetupMs === null ? "—" : formatRto(p.targetSetupMs)}</dd>
          </div>
          <div>
            <dt>pg_restore</dt>
            <dd>
              {p.pgRestore.version ?? "—"}, --jobs {p.pgRestore.jobs},{" "}
              {p.pgRestore.exitCode === null ? "did not run" : `exit ${p.pgRestore.exitCode}`}
            </dd>
          </div>
        </dl>
        {p.pgRestore.errors.length > 0 ? (
          <>
            <p class="small">pg_restore's errors:</p>
            <pre class="code">{p.pgRestore.errors.join("\n")}</pre>
          </>
        ) : null}
      </section>
    </>
  );
}
