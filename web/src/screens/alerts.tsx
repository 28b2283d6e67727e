import type { ComponentChildren } from "preact";
import type { Incident } from "@walwarden/verifier/wire";
import { getJson } from "../api/client.js";
import { SeverityBadge } from "../components/alert-badges.js";
import { EmptyState } from "../components/empty-state.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { Time } from "../components/time.js";
import { bySeverity, CONDITION_WORDS, type IncidentPage, openFor, parseSubject, subjectPath } from "../lib/alerts.js";
import { useApi } from "../lib/use-api.js";

/** An incident's subject: a link to its screen when it has one, its id otherwise. */
function Subject({ subject }: { subject: string }) {
  const path = subjectPath(subject);
  const { kind, id } = parseSubject(subject);
  const text = (
    <>
      {kind ? `${kind} ` : ""}
      <code class="wrap">{id}</code>
    </>
  );
  return path ? <Link href={path}>{text}</Link> : <span>{text}</span>;
}

/** The condition, summary and detail of one incident. */
function What({ i }: { i: Incident }) {
  return (
    <>
      <span class="incident-summary">{i.summary}</span>
      <span class="reason small">
        {CONDITION_WORDS[i.condition]}
        {i.detail ? `: ${i.detail}` : ""}
      </span>
    </>
  );
}

/** A table of incidents; the open and the resolved differ in their caption and last column. */
function IncidentTable({
  items,
  caption,
  last,
}: {
  items: Incident[];
  caption: string;
  last: { heading: string; cell: (i: Incident) => ComponentChildren };
}) {
  return (
    <div class="table-wrap stack-on-phone">
      <table class="incidents">
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Alert</th>
            <th scope="col">About</th>
            <th scope="col">Opened</th>
            <th scope="col">{last.heading}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id} data-incident={i.id} data-condition={i.condition}>
              <td data-label="Severity">
                <SeverityBadge severity={i.severity} />
              </td>
              <th scope="row" data-label="Alert">
                <What i={i} />
              </th>
              <td data-label="About">
                <Subject subject={i.subject} />
              </td>
              <td data-label="Opened">
                <Time iso={i.openedAt} />
              </td>
              <td data-label={last.heading}>{last.cell(i)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The open incidents, most severe first. */
function OpenIncidents({ items }: { items: Incident[] }) {
  if (items.length === 0)
    return (
      <EmptyState title="No open alerts">
        <p>Every condition Walwarden watches is clear. The cron tick checks them every minute.</p>
      </EmptyState>
    );
  return (
    <IncidentTable
      items={bySeverity(items)}
      caption="Open alerts, most severe first"
      last={{ heading: "Last seen", cell: (i) => <Time iso={i.lastSeenAt} relative /> }}
    />
  );
}

/** Recently resolved incidents with how long each was open. */
function ResolvedIncidents({ items }: { items: Incident[] }) {
  if (items.length === 0) return <EmptyState title="Nothing resolved yet">Alerts that clear appear here.</EmptyState>;
  return (
    <IncidentTable
      items={items}
      caption="Resolved alerts, newest first"
      last={{
        heading: "Resolved",
        cell: (i) => (
          <>
            <Time iso={i.resolvedAt} /> <span class="muted small duration">{openFor(i)}</span>
          </>
        ),
      }}
    />
  );
}

/** The org's alerts: open incidents first, then the recently resolved with their duration; a link to the channels. */
export function AlertsScreen() {
  const open = useApi("alerts:open", () => getJson<IncidentPage>("/v1/alerts?open=true&limit=200"), 15_000);
  const resolved = useApi("alerts:resolved", () => getJson<IncidentPage>("/v1/alerts?open=false&limit=50"), 30_000);
  return (
    <>
      <div class="title-row">
        <h1>Alerts</h1>
        <button
          type="button"
          class="secondary"
          onClick={() => void Promise.all([open.reload(), resolved.reload()])}
          disabled={open.loading}
        >
          Refresh
        </button>
      </div>
      <p class="muted">
        Conditions the cron tick found: an alert opens once, repeats on each channel's schedule while it holds, and
        resolves after two clear ticks. <Link href="/alerts/channels">Where alerts go: channels</Link>.
      </p>
      <h2 id="open-h">Open</h2>
      <LoadState
        error={open.error}
        loading={open.loading && !open.data}
        what="the open alerts"
        retry={() => void open.reload()}
      />
      {open.data ? <OpenIncidents items={open.data.items} /> : null}
      <h2 id="resolved-h">Recently resolved</h2>
      <LoadState
        error={resolved.error}
        loading={resolved.loading && !resolved.data}
        what="the resolved alerts"
        retry={() => void resolved.reload()}
      />
      {resolved.data ? <ResolvedIncidents items={resolved.data.items} /> : null}
    </>
  );
}
