import { useEffect, useState } from "preact/hooks";
import { getJson } from "../api/client.js";
import type { LogEntriesPage } from "@walwarden/verifier/wire";
import { EmptyState } from "../components/empty-state.js";
import { LoadState } from "../components/load-state.js";
import { Time } from "../components/time.js";
import { Truncated } from "../components/truncated.js";
import { navigate, useLocation } from "../lib/router.js";
import { useApi } from "../lib/use-api.js";
import { useVerifier } from "../lib/verifier.js";
import { ConsistencyPanel } from "./consistency-panel.js";

const PAGE = 100;

interface Entry {
  seq: number;
  at: string;
  type: string;
  actor: string;
  subject: string;
  data: unknown;
}

/** The org's audit log, oldest first, filtered by event type, subject and starting point; and the consistency check. */
export function AuditLogScreen() {
  const { query } = useLocation();
  const verifier = useVerifier();
  const type = query.get("type") ?? "";
  const subject = query.get("subject") ?? "";
  const after = query.get("after") ?? "";
  const [form, setForm] = useState({ type, subject, after });
  useEffect(() => setForm({ type, subject, after }), [type, subject, after]);
  const [more, setMore] = useState<{ entries: Entry[]; nextAfter: number | null } | undefined>();

  const base = new URLSearchParams({ limit: String(PAGE) });
  if (type) base.set("type", type);
  if (subject) base.set("subject", subject);
  const key = `${type}|${subject}|${after}`;
  const first = useApi(key, async () => {
    const q = new URLSearchParams(base);
    if (after) q.set("after", after);
    return parsePage(await getJson<LogEntriesPage>(`/v1/log/entries?${q}`));
  });
  useEffect(() => setMore(undefined), [key]);

  const entries = [...(first.data?.entries ?? []), ...(more?.entries ?? [])];
  const nextAfter = more ? more.nextAfter : (first.data?.nextAfter ?? null);
  const subjectProblem =
    form.subject && form.subject.length < 3
      ? "A subject has at least 3 characters, e.g. restore:rst_… or backup:bkp_…"
      : undefined;

  return (
    <>
      <h1>Audit log</h1>
      <p class="muted">
        Every event, as signed into your org's append-only log. Entries are shown exactly as stored; the consistency
        check below proves in this browser that the log only grew.
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
          if (form.after.trim()) q.set("after", form.after.trim());
          navigate(`/log${q.size ? `?${q}` : ""}`);
        }}
      >
        <div class="field">
          <label for="log-type">Event type</label>
          <select id="log-type" value={form.type} onChange={(e) => setForm({ ...form, type: e.currentTarget.value })}>
            <option value="">All types</option>
            {(verifier?.EVENT_TYPES ?? (type ? [type] : [])).map((t) => (
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
            placeholder="e.g. restore:rst_…"
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
          <label for="log-after">After seq</label>
          <input
            id="log-after"
            type="number"
            min={0}
            step={1}
            value={form.after}
            onInput={(e) => setForm({ ...form, after: e.currentTarget.value })}
          />
        </div>
        <div class="field actions">
          <button type="submit">Apply filters</button>
          {type || subject || after ? (
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
        <EmptyState title={type || subject || after ? "No entries match these filters" : "The log is empty"} />
      ) : null}
      {entries.length > 0 ? (
        <div class="table-wrap">
          <table class="log">
            <caption class="sr-only">Log entries, oldest first</caption>
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
                <tr key={e.seq} data-seq={e.seq} data-type={e.type}>
                  <th scope="row" class="num">
                    {e.seq}
                  </th>
                  <td>
                    <Time iso={e.at} />
                  </td>
                  <td>
                    <code>{e.type}</code>
                  </td>
                  <td>
                    <Truncated text={e.actor} />
                  </td>
                  <td>
                    <Truncated text={e.subject} />
                  </td>
                  <td>
                    <Truncated text={JSON.stringify(e.data)} class="data" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {nextAfter !== null && entries.length > 0 ? (
        <p>
          <button
            type="button"
            class="secondary"
            onClick={async () => {
              const q = new URLSearchParams(base);
              q.set("after", String(nextAfter));
              const page = parsePage(await getJson<LogEntriesPage>(`/v1/log/entries?${q}`));
              setMore({ entries: [...(more?.entries ?? []), ...page.entries], nextAfter: page.nextAfter });
            }}
          >
            Load {PAGE} more
          </button>
        </p>
      ) : null}
      <ConsistencyPanel />
    </>
  );
}

function parsePage(page: LogEntriesPage): { entries: Entry[]; nextAfter: number | null } {
  return { entries: page.entries.map((t) => JSON.parse(t) as Entry), nextAfter: page.nextAfter };
}
