// The database screen's backup schedules: each one's cadence in words and as cron, its zone, target RPO, next
// run in its zone and whether it is enabled, with a warning when its target is shorter than the gap between
// its runs; for admins, add, edit, pause or resume, and delete after a confirmation.
import type { Schedule, SchedulePage } from "@walwarden/verifier/wire";
import { useState } from "preact/hooks";
import { ApiError, deleteResource, patchJson } from "../api/client.js";
import { ConfirmButtons } from "../components/confirm-buttons.js";
import { EmptyState } from "../components/empty-state.js";
import { LoadState } from "../components/load-state.js";
import { formatMinutes } from "../lib/format.js";
import { cronWords, rpoWarning, runWords } from "../lib/schedule.js";
import { type ScheduleEngine, useScheduleEngine } from "../lib/schedule-load.js";
import { hasRole, useSession } from "../lib/session.js";
import type { Loaded } from "../lib/use-api.js";
import { ScheduleFormView } from "./schedule-form.js";

type Mode = { kind: "view" } | { kind: "add" } | { kind: "edit"; id: string } | { kind: "delete"; id: string };

/** The schedules of a database; `onChanged` after any change (the RPO target follows the enabled schedules). */
export function SchedulesPanel({
  databaseId,
  schedules,
  onChanged,
}: {
  databaseId: string;
  schedules: Loaded<SchedulePage>;
  onChanged: () => Promise<void>;
}) {
  const me = useSession();
  const admin = hasRole(me.principal.role, "admin");
  const [mode, setMode] = useState<Mode>({ kind: "view" });
  const [said, setSaid] = useState<string | undefined>();
  const loaded = useScheduleEngine();
  const engine = loaded && !("failed" in loaded) ? loaded : undefined;
  const items = schedules.data?.items;
  const editing = mode.kind === "edit" ? items?.find((s) => s.id === mode.id) : undefined;

  const saved = async (message: string) => {
    setMode({ kind: "view" });
    setSaid(message);
    await onChanged();
  };

  return (
    <section class="panel schedules" aria-labelledby="schedules-h" data-schedules-panel>
      <div class="title-row">
        <h2 id="schedules-h">Backup schedules</h2>
        {admin && mode.kind === "view" ? (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setSaid(undefined);
              setMode({ kind: "add" });
            }}
          >
            Add schedule
          </button>
        ) : null}
      </div>
      <p class="muted small">
        Each enabled schedule queues a backup at its times; the tightest target among them is the database's target RPO.
      </p>
      <LoadState error={schedules.error} loading={schedules.loading && !items} what="the schedules" />
      {loaded && "failed" in loaded ? (
        <p class="alert error" role="alert">
          Could not load the schedule checks: {loaded.failed}
        </p>
      ) : null}
      {items && items.length === 0 && mode.kind !== "add" ? (
        <EmptyState title="No schedule">
          Nothing backs this database up on its own: it is backed up only when someone asks, and it has no target RPO.
          {admin ? " Add a schedule to back it up regularly." : " An admin adds a schedule."}
        </EmptyState>
      ) : null}
      {items && items.length > 0 ? (
        <div class="table-wrap stack-on-phone">
          <table class="schedules-table">
            <caption class="sr-only">Backup schedules of this database</caption>
            <thead>
              <tr>
                <th scope="col">Runs</th>
                <th scope="col">Time zone</th>
                <th scope="col">Target RPO</th>
                <th scope="col">Next run</th>
                <th scope="col">State</th>
                {admin ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <ScheduleRow
                  key={s.id}
                  schedule={s}
                  engine={engine}
                  admin={admin}
                  onEdit={() => {
                    setSaid(undefined);
                    setMode({ kind: "edit", id: s.id });
                  }}
                  onDelete={() => {
                    setSaid(undefined);
                    setMode({ kind: "delete", id: s.id });
                  }}
                  onToggled={(next) =>
                    saved(next.enabled ? "Schedule resumed." : "Schedule paused: it queues nothing.")
                  }
                  onProblem={setSaid}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p class="schedule-said" role="status" data-schedules-said>
        {said ?? ""}
      </p>
      {admin && mode.kind === "delete" && items ? (
        <ConfirmDelete
          schedule={items.find((s) => s.id === mode.id)}
          others={items.filter((s) => s.id !== mode.id && s.enabled).length}
          onCancel={() => setMode({ kind: "view" })}
          onDeleted={() => saved("Schedule deleted: it queues no more backups.")}
          onProblem={(m) => {
            setMode({ kind: "view" });
            setSaid(m);
          }}
        />
      ) : null}
      {admin && (mode.kind === "add" || editing) ? (
        <div class="schedule-editor">
          <h3>{editing ? "Edit schedule" : "New schedule"}</h3>
          <ScheduleFormView
            key={editing?.id ?? "new"}
            idPrefix={editing ? `schedule-${editing.id}` : "schedule-new"}
            databaseId={databaseId}
            schedule={editing ?? null}
            engine={engine}
            onCancel={() => setMode({ kind: "view" })}
            onSaved={(s) => saved(s ? (editing ? "Schedule saved." : "Schedule created.") : "Nothing changed.")}
          />
        </div>
      ) : null}
    </section>
  );
}

function ScheduleRow({
  schedule: s,
  engine,
  admin,
  onEdit,
  onDelete,
  onToggled,
  onProblem,
}: {
  schedule: Schedule;
  engine: ScheduleEngine | undefined;
  admin: boolean;
  onEdit: () => void;
  onDelete: () => void;
  onToggled: (next: Schedule) => Promise<void>;
  onProblem: (message: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const words = cronWords(s.cron);
  const interval = engine?.intervalOf(s.cron, s.timezone, Date.now()) ?? null;
  const warning = s.enabled ? rpoWarning(s.targetRpoMinutes, interval) : undefined;
  return (
    <tr data-schedule={s.id} data-enabled={String(s.enabled)}>
      <th scope="row" data-label="Runs">
        {words ?? <code>{s.cron}</code>}
        {words ? <code class="muted small block">{s.cron}</code> : null}
      </th>
      <td data-label="Time zone">{s.timezone}</td>
      <td data-label="Target RPO">
        {formatMinutes(s.targetRpoMinutes)}
        {warning ? (
          <span class="field-warning small block" data-rpo-warning>
            <span aria-hidden="true">▲ </span>Shorter than the longest gap between runs: it reads as breached before
            each next backup.
          </span>
        ) : null}
      </td>
      <td data-label="Next run">
        {s.nextRunAt ? (
          <time dateTime={s.nextRunAt} title={s.nextRunAt} data-next-run={s.nextRunAt}>
            {runWords(Date.parse(s.nextRunAt), s.timezone)}
          </time>
        ) : (
          <span class="none">None while paused</span>
        )}
      </td>
      <td data-label="State">
        <span class={`badge ${s.enabled ? "good" : "neutral"}`}>{s.enabled ? "Enabled" : "Paused"}</span>
      </td>
      {admin ? (
        <td data-label="Actions">
          <span class="row-actions">
            <button type="button" class="secondary" onClick={onEdit}>
              Edit
            </button>
            <button
              type="button"
              class="secondary"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                try {
                  await onToggled(
                    await patchJson<Schedule>(`/v1/schedules/${encodeURIComponent(s.id)}`, { enabled: !s.enabled }),
                  );
                } catch (e) {
                  onProblem(
                    `Could not ${s.enabled ? "pause" : "resume"} it: ${e instanceof ApiError ? e.message : String(e)}`,
                  );
                } finally {
                  setBusy(false);
                }
              }}
            >
              {s.enabled ? "Pause" : "Resume"}
            </button>
            <button type="button" class="secondary" onClick={onDelete}>
              Delete
            </button>
          </span>
        </td>
      ) : null}
    </tr>
  );
}

/** What deleting a schedule does and does not do, and the button that does it. */
function ConfirmDelete({
  schedule,
  others,
  onCancel,
  onDeleted,
  onProblem,
}: {
  schedule: Schedule | undefined;
  others: number;
  onCancel: () => void;
  onDeleted: () => Promise<void>;
  onProblem: (message: string) => void;
}) {
  if (!schedule) return null;
  const words = cronWords(schedule.cron) ?? schedule.cron;
  return (
    <div class="alert error" role="alertdialog" aria-labelledby="schedule-delete-h" data-schedule-delete>
      <p id="schedule-delete-h">
        <strong>
          Delete the schedule “{words}” ({schedule.timezone})?
        </strong>
      </p>
      <p>
        It queues no more backups. Backups it already made, the retention policy and the audit log are not touched.
        {schedule.enabled && others === 0
          ? " It is this database's only enabled schedule: the database then has no target RPO and is backed up only when someone asks."
          : ""}
      </p>
      <ConfirmButtons
        label="Delete schedule"
        onCancel={onCancel}
        onConfirm={async () => {
          try {
            await deleteResource(`/v1/schedules/${encodeURIComponent(schedule.id)}`);
            await onDeleted();
          } catch (e) {
            onProblem(`Could not delete it: ${e instanceof ApiError ? e.message : String(e)}`);
          }
        }}
      />
    </div>
  );
}
