// The database screen's restore drills: how restorable the database is (the last proven restore, the
// restorability verdict and the drill policy, which admins set, edit and remove here), "Drill now" for
// operators with the drill's live status, and the drill history with each receipt verified in this browser.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Drill, Job, Restorability } from "@walwarden/verifier/wire";
import { ApiError, deleteResource, getJson, postJsonStatus } from "../api/client.js";
import { ConfirmButtons } from "../components/confirm-buttons.js";
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
  expectationWords,
  failureWords,
  liveDrillLine,
  maxRtoWords,
  policyLine,
  restorabilityReason,
  rtoAgainstTarget,
  type DrillPage,
  TARGET_WORDS,
  tablesMatched,
} from "../lib/drills.js";
import { cronWords, runWords } from "../lib/schedule.js";
import { hasRole, useSession } from "../lib/session.js";
import type { Loaded } from "../lib/use-api.js";
import { useDrillVerification } from "../lib/use-drill-verification.js";
import { DrillPolicyEditor } from "./drill-policy-editor.js";

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
          <DrillPolicyArea
            databaseId={databaseId}
            restorability={r}
            admin={hasRole(me.principal.role, "admin")}
            reload={restorability.reload}
          />
          {hasRole(me.principal.role, "operator") ? (
            <DrillNow databaseId={databaseId} onChanged={onDrillChanged} />
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/**
 * The drill policy: summarised (schedule and zone, next drill, backup drilled, target, checks, max RTO); for
 * admins the editor (open at once when there is no policy; "Edit policy" otherwise) and removing it after a
 * confirmation. After a save or a removal the restorability is read again, so the summary and the next drill
 * are the Worker's at once. Opened at `#drill-policy` (the welcome checklist's link), it is scrolled to and
 * its first field focused.
 */
function DrillPolicyArea({
  databaseId,
  restorability: r,
  admin,
  reload,
}: {
  databaseId: string;
  restorability: Restorability;
  admin: boolean;
  reload: () => Promise<void>;
}) {
  const policy = r.policy;
  const [mode, setMode] = useState<"view" | "edit" | "remove">("view");
  const [said, setSaid] = useState<string | undefined>();
  const area = useRef<HTMLDivElement>(null);
  const editing = admin && (mode === "edit" || !policy);
  useEffect(() => {
    if (window.location.hash !== "#drill-policy" || !area.current) return;
    area.current.scrollIntoView({ block: "start" });
    area.current.querySelector<HTMLElement>("select, input, button")?.focus({ preventScroll: true });
  }, []);
  const removed = async () => {
    try {
      await deleteResource(`/v1/databases/${enc(databaseId)}/drill-policy`);
    } catch (e) {
      setMode("view");
      setSaid(`Could not remove the drill policy: ${e instanceof ApiError ? e.message : String(e)}`);
      return;
    }
    setMode("view");
    setSaid("Drill policy removed: no drill is scheduled. The drills so far and their receipts stay.");
    await reload();
  };
  return (
    <div id="drill-policy" class="drill-policy" ref={area} data-drill-policy-area>
      {policy && !editing ? (
        <>
          <h3>Drill policy{policy.enabled ? "" : " (paused)"}</h3>
          <dl class="facts policy" data-policy>
            <div>
              <dt>Schedule</dt>
              <dd data-fact="schedule">
                <code>{policy.cron}</code> in {policy.timezone}
                {cronWords(policy.cron) ? <span class="muted small block">{cronWords(policy.cron)}</span> : null}
              </dd>
            </div>
            <div>
              <dt>Next drill</dt>
              <dd data-fact="next-drill">
                {r.nextDrillAt ? (
                  <>
                    <Time iso={r.nextDrillAt} />
                    <span class="muted small block">{runWords(Date.parse(r.nextDrillAt), policy.timezone)}</span>
                  </>
                ) : (
                  <span class="none">None scheduled</span>
                )}
              </dd>
            </div>
            <div>
              <dt>Backup drilled</dt>
              <dd data-fact="backup">{backupChoiceWords(policy.backup)}</dd>
            </div>
            <div>
              <dt>Target</dt>
              <dd data-fact="target">{TARGET_WORDS[policy.target].long}</dd>
            </div>
            <div>
              <dt>Checks</dt>
              <dd data-fact="checks">
                row counts, schema fingerprint, {assertionsCount(policy.assertions.length)}
                {policy.assertions.length > 0 ? (
                  <ul class="assertion-list">
                    {policy.assertions.map((a) => (
                      <li key={a.name} data-assertion-name={a.name}>
                        <span class="wrap">{a.name}</span>: <code class="wrap">{a.sql}</code>{" "}
                        {expectationWords(a.expect)}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </dd>
            </div>
            <div>
              <dt>Max RTO</dt>
              <dd data-fact="max-rto">{maxRtoWords(policy.maxRtoSeconds)}</dd>
            </div>
          </dl>
        </>
      ) : null}
      <p role="status" class="small" data-drill-policy-said>
        {said ?? ""}
      </p>
      {!policy && !admin ? (
        <p class="muted small" data-no-policy>
          An admin sets this database's drill policy here: when it is drilled, which backup, where, and what is checked.
        </p>
      ) : null}
      {editing ? (
        <section aria-labelledby="drill-policy-editor-h" class="drill-policy-editor">
          <h3 id="drill-policy-editor-h">{policy ? "Edit the drill policy" : "Set a drill policy"}</h3>
          <DrillPolicyEditor
            key={policy?.updatedAt ?? "none"}
            databaseId={databaseId}
            saved={policy}
            onCancel={policy ? () => setMode("view") : undefined}
            onSaved={async (p) => {
              setSaid(`Drill policy saved: ${policyLine(p)}.`);
              await reload();
              setMode("view");
            }}
          />
        </section>
      ) : null}
      {admin && policy && mode === "view" ? (
        <p class="channel-actions">
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setSaid(undefined);
              setMode("edit");
            }}
          >
            Edit policy
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setSaid(undefined);
              setMode("remove");
            }}
          >
            Remove policy…
          </button>
        </p>
      ) : null}
      {admin && policy && mode === "remove" ? (
        <div class="alert error" role="alertdialog" aria-labelledby="drill-policy-remove-q">
          <p id="drill-policy-remove-q">
            Remove the drill policy? No drill is scheduled from now on and the database reads as having no drill policy;
            the drills so far, their receipts and the log stay.
          </p>
          <ConfirmButtons label="Remove the drill policy" onConfirm={removed} onCancel={() => setMode("view")} />
        </div>
      ) : null}
    </div>
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
