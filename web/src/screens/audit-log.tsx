import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { getJson } from "../api/client.js";
import type { LogCheckpoint, LogEntriesPage } from "@walwarden/verifier/wire";
import { CopyButton } from "../components/copy-button.js";
import { EmptyState } from "../components/empty-state.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { Time } from "../components/time.js";
import { Truncated } from "../components/truncated.js";
import {
  type ActorNames,
  actorLabel,
  entryJson,
  entrySubjectPath,
  fetchActorNames,
  type ListedEntry,
  type NewestPage,
  newestEntries,
} from "../lib/entry-text.js";
import { navigate, useLocation } from "../lib/router.js";
import { useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";
import { verifierConstants } from "../lib/verifier.js";
import { ConsistencyPanel } from "./consistency-panel.js";

const PAGE = 100;

const readEntries = (q: URLSearchParams) => getJson<LogEntriesPage>(`/v1/log/entries?${q}`);

/**
 * The org's audit log, newest first, filtered by event type, subject and the newest seq to show (in the
 * URL, so shareable); each entry opens to its full JSON, subjects link to their screens and actors are
 * named where the dashboard knows them. Then the consistency check.
 */
export function AuditLogScreen() {
  const me = useSession();
  const { query } = useLocation();
  const type = query.get("type") ?? "";
  const subject = query.get("subject") ?? "";
  const upTo = query.get("upTo") ?? "";
  const [form, setForm] = useState({ type, subject, upTo });
  useEffect(() => setForm({ type, subject, upTo }), [type, subject, upTo]);
  const [more, setMore] = useState<NewestPage | undefined>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());

  const filters = { type: type || undefined, subject: subject || undefined };
  const key = `${type}|${subject}|${upTo}`;
  const first = useApi(key, async () => {
    const below = /^\d+$/.test(upTo) ? Number(upTo) + 1 : (await getJson<LogCheckpoint>("/v1/log/checkpoint")).treeSize;
    return newestEntries(readEntries, { below, size: PAGE, ...filters });
  });
  useEffect(() => {
    setMore(undefined);
    setOpen(new Set());
  }, [key]);
  const names = useApi(`actors:${me.principal.id}`, () => fetchActorNames(me));

  const entries = [...(first.data?.entries ?? []), ...(more?.entries ?? [])];
  const olderThan = more ? more.olderThan : (first.data?.olderThan ?? null);
  const subjectProblem =
    form.subject && form.subject.length < 3
      ? "A subject has at least 3 characters, e.g. restore:rst_… or database:db_…"
      : undefined;
  const toggle = (seq: number) =>
    setOpen((o) => {
      const next = new Set(o);
      if (!next.delete(seq)) next.add(seq);
      return next;
    });

  return (
    <>
      <h1>Audit log</h1>
      <p class="muted">
        Every event, as signed into your org's append-only log, newest first. Open an entry to read it whole, as stored;
        the consistency check below proves in this browser that the log only grew.
      </p>
      <form
        class="filters"
        aria-label="Filter the log"
        onSubmit={(e) => {
          e.preventDefault();
          if (subjectProblem) return;
          const q = new URLSearchParams();
          if (form.type) q.set("type", form.type);
          if (form.subject.trim()) q.set("subject", form.subject.trim());
          if (form.upTo.trim()) q.set("upTo", form.upTo.trim());
          navigate(`/log${q.size ? `?${q}` : ""}`);
        }}
      >
        <div class="field">
          <label for="log-type">Event type</label>
          <select id="log-type" value={form.type} onChange={(e) => setForm({ ...form, type: e.currentTarget.value })}>
            <option value="">All types</option>
            {verifierConstants.EVENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="log-subject">Subject</label>
          <input
            id="log-subject"
            type="text"
            placeholder="e.g. database:db_…"
            value={form.subject}
            aria-invalid={subjectProblem ? true : undefined}
            aria-describedby={subjectProblem ? "log-subject-problem" : undefined}
            onInput={(e) => setForm({ ...form, subject: e.currentTarget.value })}
          />
          {subjectProblem ? (
            <p id="log-subject-problem" class="field-problem">
              {subjectProblem}
            </p>
          ) : null}
        </div>
        <div class="field narrow">
          <label for="log-up-to">Up to seq</label>
          <input
            id="log-up-to"
            type="number"
            min={0}
            step={1}
            value={form.upTo}
            onInput={(e) => setForm({ ...form, upTo: e.currentTarget.value })}
          />
        </div>
        <div class="field actions">
          <button type="submit">Apply filters</button>
          {type || subject || upTo ? (
            <button type="button" class="secondary" onClick={() => navigate("/log")}>
              Clear
            </button>
          ) : null}
        </div>
      </form>
      <LoadState
        error={first.error}
        loading={first.loading && !first.data}
        what="the log"
        retry={() => void first.reload()}
      />
      {first.data && entries.length === 0 ? (
        <EmptyState title={type || subject || upTo ? "No entries match these filters" : "The log is empty"}>
          {olderThan !== null ? <p>None from seq {olderThan} on: load older entries to search further back.</p> : null}
        </EmptyState>
      ) : null}
      {entries.length > 0 ? (
        <div class="table-wrap stack-on-phone">
          <table class="log">
            <caption class="sr-only">Log entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col" class="num">
                  Seq
                </th>
                <th scope="col">Time</th>
                <th scope="col">Type</th>
                <th scope="col">Actor</th>
                <th scope="col">Subject</th>
                <th scope="col">Data</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <EntryRows key={e.seq} entry={e} names={names.data} open={open.has(e.seq)} toggle={toggle} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {olderThan !== null && first.data ? (
        <p>
          <button
            type="button"
            class="secondary"
            disabled={loadingMore}
            onClick={async () => {
              setLoadingMore(true);
              try {
                const page = await newestEntries(readEntries, { below: olderThan, size: PAGE, ...filters });
                setMore({ entries: [...(more?.entries ?? []), ...page.entries], olderThan: page.olderThan });
              } finally {
                setLoadingMore(false);
              }
            }}
          >
            {loadingMore ? "Loading…" : `Load older entries (before seq ${olderThan})`}
          </button>
        </p>
      ) : null}
      <ConsistencyPanel />
    </>
  );
}

/** One entry's row, and below it, when open, the entry whole. */
function EntryRows({
  entry: e,
  names,
  open,
  toggle,
}: {
  entry: ListedEntry;
  names: ActorNames | undefined;
  open: boolean;
  toggle: (seq: number) => void;
}) {
  const actor = actorLabel(e.actor, names ?? new Map());
  const path = entrySubjectPath(e.subject);
  const detail = `entry-${e.seq}`;
  return (
    <Fragment>
      <tr data-seq={e.seq} data-type={e.type} class={open ? "open" : undefined}>
        <th scope="row" class="num" data-label="Seq">
          {e.seq}
        </th>
        <td data-label="Time">
          <Time iso={e.at} />
        </td>
        <td data-label="Type">
          <code class="wrap">{e.type}</code>
        </td>
        <td data-label="Actor" data-actor={e.actor}>
          {actor.named ? (
            <span title={e.actor}>
              <Truncated text={actor.label} /> <span class="muted small">{actor.kind}</span>
            </span>
          ) : (
            <Truncated text={e.actor} />
          )}
        </td>
        <td data-label="Subject">
          {path ? (
            <Link href={path}>
              <Truncated text={e.subject} />
            </Link>
          ) : (
            <Truncated text={e.subject} />
          )}
        </td>
        <td data-label="Data" class="data-cell">
          <button
            type="button"
            class="disclosure"
            aria-expanded={open}
            aria-controls={open ? detail : undefined}
            onClick={() => toggle(e.seq)}
          >
            <span class="sr-only">
              {open ? "Hide" : "Show"} entry {e.seq} in full:{" "}
            </span>
            <Truncated text={JSON.stringify(e.data)} class="data" />
          </button>
        </td>
      </tr>
      {open ? (
        <tr class="entry-detail" id={detail} data-entry-of={e.seq}>
          <td colSpan={6}>
            <pre class="code" data-entry-json>
              {entryJson(e)}
            </pre>
            <CopyButton text={e.text} label="Copy the stored text" />
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}
