// The database screen's retention (verifier/SPEC.md §12): the policy in words and the Object Lock days it
// implies, every backup's fate now (kept, expiring, deleted) with its reasons and its projected expiry; for
// admins the editor with its preview, and removing the policy after a confirmation. Viewers and operators
// read it. The projection assumes a backup as often as the database's enabled schedules say (the shortest
// interval of their crons), or, when none of their crons is one the dashboard reads, as often as the median
// gap of the last backups; no enabled schedule, no more backups.
import type { RetentionPolicy } from "@walwarden/verifier";
import type { BackupPage, SchedulePage } from "@walwarden/verifier/wire";
import { useMemo, useState } from "preact/hooks";
import { ApiError, getJson } from "../api/client.js";
import { LoadState } from "../components/load-state.js";
import { ProjectionContext, RetentionFates } from "../components/retention-fates.js";
import { Time } from "../components/time.js";
import {
  type Cadence,
  countsWords,
  gapCadence,
  lockWords,
  previewCounts,
  type RetentionPolicyView,
  NO_PROJECTION,
  type RetentionState,
  scheduleCadence,
} from "../lib/retention.js";
import { getRetentionPolicy, getRetentionState, removeRetentionPolicy } from "../lib/retention-api.js";
import { hasRole, useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";
import { type RetentionEngine, useRetentionEngine } from "../lib/use-retention-engine.js";
import { RetentionEditor } from "./retention-editor.js";

/** The Retention panel of one database. */
export function RetentionPanel({ databaseId }: { databaseId: string }) {
  const me = useSession();
  const admin = hasRole(me.principal.role, "admin");
  const policy = useApi(`retention-policy:${databaseId}`, () => getRetentionPolicy(databaseId));
  const state = useApi(`retention:${databaseId}`, () => getRetentionState(databaseId), 60_000);
  const loaded = useRetentionEngine();
  const cadence = useCadence(databaseId);
  const [said, setSaid] = useState<string | undefined>();
  const engine = loaded && !("failed" in loaded) ? loaded : undefined;
  const view = policy.data;
  const reload = () => Promise.all([policy.reload(), state.reload()]).then(() => undefined);
  const source = useMemo(
    () => (engine && state.data && cadence !== undefined ? { engine, state: state.data, cadence } : undefined),
    [engine, state.data, cadence],
  );
  return (
    <ProjectionContext.Provider value={source}>
      <section class="panel retention" aria-labelledby="retention-h" data-retention-panel>
        <h2 id="retention-h">Retention</h2>
        <LoadState error={policy.error} loading={policy.loading && view === undefined} what="the retention policy" />
        <LoadState error={state.error} loading={state.loading && !state.data} what="the backups' retention" />
        {loaded && "failed" in loaded ? (
          <p class="alert error" role="alert">
            Could not load the retention checks: {loaded.failed}
          </p>
        ) : null}
        {engine && view !== undefined ? <PolicyFacts view={view} state={state.data} engine={engine} /> : null}
        <p role="status" data-retention-said>
          {said ?? ""}
        </p>
        {engine && view !== undefined && state.data ? (
          admin ? (
            <>
              <RetentionEditor
                key={view?.updatedAt ?? "none"}
                databaseId={databaseId}
                saved={view?.policy ?? null}
                state={state.data}
                engine={engine}
                onSaved={async (p) => {
                  setSaid(
                    `Saved: ${engine.describePolicy(p)}. The Worker expires what it does not keep at its next tick.`,
                  );
                  await reload();
                }}
              />
              {view ? (
                <RemovePolicy
                  databaseId={databaseId}
                  onRemoved={async () => {
                    setSaid("Policy removed: every backup is kept from now on.");
                    await reload();
                  }}
                />
              ) : null}
            </>
          ) : (
            <WorkerFates state={state.data} policy={view?.policy ?? null} />
          )
        ) : null}
      </section>
    </ProjectionContext.Provider>
  );
}

/**
 * How often backups will come, for the projection: undefined while the schedules load, or why it cannot be
 * told (the schedules would not load; neither their crons nor the last backups tell it).
 */
function useCadence(databaseId: string): Cadence | string | undefined {
  const id = encodeURIComponent(databaseId);
  const schedules = useApi(`retention-schedules:${databaseId}`, () =>
    getJson<SchedulePage>(`/v1/schedules?databaseId=${id}&limit=200`),
  );
  const fromSchedules = useMemo(
    () => (schedules.data ? scheduleCadence(schedules.data.items) : undefined),
    [schedules.data],
  );
  const backups = useApi(fromSchedules === "unreadable" ? `retention-gaps:${databaseId}` : null, () =>
    getJson<BackupPage>(`/v1/backups?databaseId=${id}&limit=50`),
  );
  const failed = schedules.error ?? (fromSchedules === "unreadable" ? backups.error : undefined);
  return useMemo(() => {
    if (failed && !fromSchedules) return `No expiry projection: could not read the schedules (${failed.message}).`;
    if (fromSchedules !== "unreadable") return fromSchedules;
    if (backups.data) return gapCadence(backups.data.items.map((b) => b.completedAt)) ?? NO_PROJECTION;
    return failed ? `No expiry projection: could not read the last backups (${failed.message}).` : undefined;
  }, [failed, fromSchedules, backups.data]);
}

/** The policy in words, the lock it implies, when it was set, and what the Worker's decision says now. */
function PolicyFacts({
  view,
  state,
  engine,
}: {
  view: RetentionPolicyView | null;
  state: RetentionState | undefined;
  engine: RetentionEngine;
}) {
  return (
    <dl class="facts">
      <div class="wide">
        <dt>Policy</dt>
        <dd data-fact="policy">
          {view ? engine.describePolicy(view.policy) : <span class="none">None: every backup is kept</span>}
        </dd>
      </div>
      {view ? (
        <>
          <div>
            <dt>Object Lock</dt>
            <dd data-fact="lock">{lockWords(engine.lockDaysFor(view.policy))}</dd>
          </div>
          <div>
            <dt>Set</dt>
            <dd>
              <Time iso={view.updatedAt} />
            </dd>
          </div>
        </>
      ) : null}
      {state ? (
        <div>
          <dt>Now</dt>
          <dd data-fact="now">{countsWords(previewCounts(state.verdicts, state.expired.length))}</dd>
        </div>
      ) : null}
    </dl>
  );
}

/** The Worker's decision now, read-only (viewers and operators). */
function WorkerFates({ state, policy }: { state: RetentionState; policy: RetentionPolicy | null }) {
  return (
    <>
      {policy ? null : <p class="muted small">An admin sets the retention policy here.</p>}
      <RetentionFates
        fates={state.verdicts}
        expired={state.expired}
        policy={policy}
        caption="Each backup's fate now, newest first"
      />
    </>
  );
}

/** "Remove policy", then a confirmation: every backup is kept again (those deleted stay deleted). */
function RemovePolicy({ databaseId, onRemoved }: { databaseId: string; onRemoved: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  if (!asking)
    return (
      <p>
        <button type="button" class="secondary" onClick={() => setAsking(true)}>
          Remove policy
        </button>{" "}
        {problem ? (
          <span class="field-problem" role="alert">
            {problem}
          </span>
        ) : null}
      </p>
    );
  return (
    <div class="alert error" role="alertdialog" aria-labelledby="retention-remove-q">
      <p id="retention-remove-q">
        Remove the retention policy? Every backup is kept from now on; those already deleted stay deleted.
      </p>
      <p class="channel-actions">
        <button
          type="button"
          class="danger"
          onClick={async () => {
            try {
              await removeRetentionPolicy(databaseId);
              setAsking(false);
              await onRemoved();
            } catch (e) {
              setAsking(false);
              setProblem(`Could not remove it: ${e instanceof ApiError ? e.message : String(e)}`);
            }
          }}
        >
          Remove the policy
        </button>
        <button type="button" class="secondary" onClick={() => setAsking(false)}>
          Cancel
        </button>
      </p>
    </div>
  );
}
