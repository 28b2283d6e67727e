// The database screen's restore drills: how restorable the database is (the last proven restore, the
// restorability verdict and the drill policy), "Drill now" for operators with the drill's live status, and
// the drill history with each receipt verified in this browser.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Drill, Job, Restorability } from "@walwarden/verifier/wire";
import { ApiError, getJson, postJsonStatus } from "../api/client.js";
import { DrillStatusBadge, RestorabilityBadge } from "../components/drill-badges.js";
import { EmptyState } from "../components/empty-state.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { ReceiptVerdict } from "../components/receipt-verdict.js";
import { Time } from "../components/time.js";
import {
  assertionsCount,
  backupChoiceWords,
  drillIsOver,
  failureWords,
  liveDrillLine,
  maxRtoWords,
  restorabilityReason,
  rtoAgainstTarget,
  type DrillPage,
  TARGET_WORDS,
  tablesMatched,
} from "../lib/drills.js";
import { hasRole, useSession } from "../lib/session.js";
import type { Loaded } from "../lib/use-api.js";
import { useDrillVerification } from "../lib/use-drill-verification.js";

const enc = encodeURIComponent;

/** The last proven restore, the restorability verdict, the drill policy and (operators) "Drill now". */
export function RestorabilityPanel({
  databaseId,
  restorability,
  onDrillChanged,
}: {
  databaseId: string;
  restorability: Loaded<Restorability>;
  onDrillChanged: () => void;
}) {
  const me = useSession();
  const r = restorability.data;
  const policy = r?.policy ?? null;
  const pass = r?.lastPass ?? null;
  const last = r?.lastDrill ?? null;
  return (
    <section class="panel" aria-labelledby="restorability-h" data-restorability-panel>
      <h2 id="restorability-h">Last proven restore</h2>
      <LoadState error={restorability.error} loading={restorability.loading && !r} what="the restorability" />
      {r ? (
        <>
          <dl class="facts">
            <div class="wide">
              <dt>Restorability</dt>
              <dd>
                <RestorabilityBadge status={r.status} /> <span class="reason">{restorabilityReason(r)}</span>
              </dd>
            </div>
            <div>
              <dt>Last passed</dt>
              <dd data-fact="last-pass">
                {pass ? (
                  <Link href={`/drills/${pass.id}`}>
                    <Time iso={pass.finishedAt ?? pass.createdAt} relative />
                  </Link>
                ) : (
                  <span class="none">Never</span>
                )}
              </dd>
            </div>
            <div>
              <dt>RTO</dt>
              <dd data-fact="rto">
                {pass ? rtoAgainstTarget(pass.rtoMs, policy ? policy.maxRtoSeconds : pass.maxRtoSeconds) : "—"}
              </dd>
            </div>
            <div>
              <dt>Tables</dt>
              <dd data-fact="tables">{pass ? tablesMatched(pass.tables) : "—"}</dd>
            </div>
            {last && last.id !== pass?.id ? (
              <div class="wide">
                <dt>Latest drill</dt>
                <dd data-fact="latest">
                  <DrillStatusBadge status={last.status} />{" "}
                  <Link href={`/drills/${last.id}`}>
                    <Time iso={last.finishedAt ?? last.createdAt} relative />
                  </Link>
                  {failureWords(last) ? <span class="reason wrap">{failureWords(last)}</span> : null}
                </dd>
              </div>
            ) : null}
          </dl>
          {policy ? (
            <>
              <h3>Drill policy{policy.enabled ? "" : " (paused)"}</h3>
              <dl class="facts policy" data-policy>
                <div>
                  <dt>Schedule</dt>
                  <dd>
                    <code>{policy.cron}</code> in {policy.timezone}
                  </dd>
                </div>
                <div>
                  <dt>Next drill</dt>
                  <dd>{r.nextDrillAt ? <Time iso={r.nextDrillAt} /> : <span class="none">None scheduled</span>}</dd>
                </div>
                <div>
                  <dt>Backup drilled</dt>
                  <dd>{backupChoiceWords(policy.backup)}</dd>
                </div>
                <div>
                  <dt>Target</dt>
                  <dd>{TARGET_WORDS[policy.target].long}</dd>
                </div>
                <div>
                  <dt>Checks</dt>
                  <dd>row counts, schema fingerprint, {assertionsCount(policy.assertions.length)}</dd>
                </div>
                <div>
                  <dt>Max RTO</dt>
                  <dd>{maxRtoWords(policy.maxRtoSeconds)}</dd>
                </div>
              </dl>
            </>
          ) : (
            <p class="muted small how-to">
              An admin sets a drill policy with the API:{" "}
              <code class="wrap">PUT /v1/databases/{databaseId}/drill-policy</code> with, for a weekly drill and a
              15-minute RTO target,{" "}
              <code class="wrap">{'{"cron":"0 4 * * 0","timezone":"UTC","maxRtoSeconds":900}'}</code>.
            </p>
          )}
          {hasRole(me.principal.role, "operator") ? (
            <DrillNow databaseId={databaseId} onChanged={onDrillChanged} />
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/**
 * "Drill now": queues a drill (the answer is the drill: 202 queued, 200 the one already waiting), says so
 * at once, then follows the drill and its job (for the phase its heartbeats report) until it concludes.
 */
function DrillNow({ databaseId, onChanged }: { databaseId: string; onChanged: () => void }) {
  const [asking, setAsking] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [queued, setQueued] = useState<{ drill: Drill; existing: boolean } | undefined>();
  const [live, setLive] = useState<{ drill?: Drill; job?: Job }>({});
  const changed = useRef(onChanged);
  changed.current = onChanged;

  useEffect(() => {
    if (!queued) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const [drill, job] = await Promise.all([
          getJson<Drill>(`/v1/drills/${enc(queued.drill.id)}`),
          getJson<Job>(`/v1/jobs/${enc(queued.drill.jobId)}`),
        ]);
        if (stopped) return;
        setLive({ drill, job });
        if (drillIsOver(drill.status)) return changed.current();
      } catch {
        // A failed poll is retried on the next tick; the line keeps the last status.
      }
      if (!stopped) timer = setTimeout(() => void tick(), 2000);
    };
    timer = setTimeout(() => void tick(), 2000);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [queued]);

  const ask = async () => {
    setAsking(true);
    setProblem(undefined);
    try {
      const r = await postJsonStatus<Drill>(`/v1/databases/${enc(databaseId)}/drills`, {});
      setLive({ drill: r.body });
      setQueued({ drill: r.body, existing: r.status === 200 });
      changed.current();
    } catch (e) {
      setProblem(
        e instanceof ApiError && e.status === 409
          ? "There is no completed backup of this database yet, so there is nothing to drill. Back it up first."
          : `Could not queue a drill: ${e instanceof ApiError ? e.message : String(e)}`,
      );
    } finally {
      setAsking(false);
    }
  };

  const drill = live.drill ?? queued?.drill;
  return (
    <div class="drill-now">
      <p>
        <button type="button" class="secondary" onClick={() => void ask()} disabled={asking}>
          Drill now
        </button>{" "}
        <span role="status" data-drill-now>
          {queued && drill ? (
            <>
              {queued.existing && drill.status === "queued" ? "A drill was already waiting; following it. " : ""}
              {liveDrillLine(drill, live.job)} <Link href={`/drills/${drill.id}`}>See drill {drill.id}</Link>
            </>
          ) : (
            ""
          )}
        </span>
      </p>
      {problem ? (
        <p class="alert error" role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

/** The database's drills, newest first, each receipt verified in this browser. */
export function DrillHistory({ drills, runnerNames }: { drills: Loaded<DrillPage>; runnerNames: Map<string, string> }) {
  const items = drills.data?.items;
  return (
    <section aria-labelledby="drills-h">
      <h2 id="drills-h">Restore drills</h2>
      <LoadState error={drills.error} loading={drills.loading && !items} what="the drills" />
      {items && items.length === 0 ? (
        <EmptyState title="No drills yet">
          A drill restores a backup into a throwaway target, checks it against the manifest and signs a receipt. Drills
          appear here once a policy schedules one or an operator asks for one.
        </EmptyState>
      ) : null}
      {items && items.length > 0 ? (
        <div class="table-wrap stack-on-phone">
          <table class="drills">
            <caption class="sr-only">Restore drills of this database, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Outcome</th>
                <th scope="col">Backup</th>
                <th scope="col">Target</th>
                <th scope="col">RTO</th>
                <th scope="col">Tables</th>
                <th scope="col">Receipt</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <DrillRow key={d.id} drill={d} runnerName={d.runnerId ? runnerNames.get(d.runnerId) : undefined} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function DrillRow({ drill: d, runnerName }: { drill: Drill; runnerName: string | undefined }) {
  const me = useSession();
  const check = useDrillVerification(d, me.principal.orgId);
  const failure = failureWords(d);
  return (
    <tr data-drill={d.id} data-status={d.status}>
      <th scope="row" data-label="When">
        <Link href={`/drills/${d.id}`}>
          <Time iso={d.finishedAt ?? d.createdAt} />
        </Link>
        <span class="muted small block">{d.trigger === "manual" ? "on request" : "on schedule"}</span>
      </th>
      <td data-label="Outcome">
        <DrillStatusBadge status={d.status} />
        {failure ? <span class="reason wrap">{failure}</span> : null}
      </td>
      <td data-label="Backup">
        <Link href={`/backups/${d.backupId}`}>
          <code class="wrap">{d.backupId}</code>
        </Link>
      </td>
      <td data-label="Target">{TARGET_WORDS[d.target].short}</td>
      <td data-label="RTO">{rtoAgainstTarget(d.rtoMs, d.maxRtoSeconds)}</td>
      <td data-label="Tables">{tablesMatched(d.tables)}</td>
      <td data-label="Receipt">
        <ReceiptVerdict drill={d} check={check} runnerName={runnerName} />
      </td>
    </tr>
  );
}
