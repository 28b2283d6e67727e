import type { Channel, CreatedChannel, Delivery } from "@walwarden/verifier/wire";
import { useState } from "preact/hooks";
import { ApiError, deleteResource, getJson, patchJson, postJsonStatus } from "../api/client.js";
import { CopyButton } from "../components/copy-button.js";
import { EmptyState } from "../components/empty-state.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { Time } from "../components/time.js";
import { changesOf, createBody, EMPTY_FORM, formOf, KIND_WORDS, routingWords } from "../lib/alerts.js";
import { hasRole, useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";
import { ChannelFormView } from "./channel-form.js";

/** GET /v1/alert-channels: a page of channels. */
interface ChannelPage {
  items: Channel[];
  nextCursor: string | null;
}

const channelPath = (id: string) => `/v1/alert-channels/${encodeURIComponent(id)}`;

/** A new webhook secret, shown this once: the API keeps only a sealed copy and never answers it again. */
function SecretPanel({ name, secret, onDismiss }: { name: string; secret: string; onDismiss: () => void }) {
  return (
    <section class="panel secret-panel" aria-labelledby="secret-h" data-secret-panel>
      <h2 id="secret-h">Signing secret for {name}</h2>
      <p>
        <strong>Copy it now: it will not be shown again.</strong> Store it with the receiver; if it is lost, give the
        channel a new URL to get a new one.
      </p>
      <p>
        <code class="secret">{secret}</code> <CopyButton text={secret} />
      </p>
      <p class="how-to">
        Every request is signed per <a href="https://www.standardwebhooks.com/">Standard Webhooks</a>: it carries{" "}
        <code>webhook-id</code>, <code>webhook-timestamp</code> and <code>webhook-signature</code> (<code>v1,</code> +
        base64 of HMAC-SHA256 over <code>id.timestamp.body</code>, keyed with the bytes the part after{" "}
        <code>whsec_</code> decodes to). Verify with any Standard Webhooks library, e.g.{" "}
        <code>new Webhook(secret).verify(body, headers)</code> from the <code>standardwebhooks</code> npm package, and
        refuse timestamps more than 5 minutes off.
      </p>
      <button type="button" class="secondary" onClick={onDismiss}>
        I have stored it
      </button>
    </section>
  );
}

/** A channel's deliveries, newest first; loaded when opened and refreshed every 5 s while open. */
function DeliveryHistory({ channelId, refresh }: { channelId: string; refresh: number }) {
  const [open, setOpen] = useState(false);
  const deliveries = useApi(
    open ? `deliveries:${channelId}:${refresh}` : null,
    () => getJson<{ items: Delivery[] }>(`${channelPath(channelId)}/deliveries?limit=20`),
    5_000,
  );
  const items = deliveries.data?.items;
  return (
    <details class="deliveries" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Delivery history</summary>
      <LoadState error={deliveries.error} loading={deliveries.loading && !items} what="the deliveries" />
      {items && items.length === 0 ? (
        <EmptyState title="Nothing sent yet">Alerts this channel takes, and tests, appear here.</EmptyState>
      ) : null}
      {items && items.length > 0 ? (
        <div class="table-wrap stack-on-phone">
          <table>
            <caption class="sr-only">Deliveries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Notice</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Attempts
                </th>
                <th scope="col">Last answer</th>
                <th scope="col">Queued</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id} data-delivery={d.id} data-kind={d.kind} data-status={d.status}>
                  <th scope="row" data-label="Notice">
                    {d.kind}
                  </th>
                  <td data-label="Status">
                    <span
                      class={`badge ${d.status === "delivered" ? "good" : d.status === "failed" ? "bad" : d.status === "retrying" ? "warn" : "neutral"}`}
                    >
                      {d.status}
                    </span>
                  </td>
                  <td class="num" data-label="Attempts">
                    {d.attempts}
                  </td>
                  <td data-label="Last answer">
                    {d.lastStatus !== null ? `HTTP ${d.lastStatus}` : ""}
                    {d.lastStatus !== null && d.lastError ? ": " : ""}
                    {d.lastError ?? (d.lastStatus === null ? "—" : "")}
                  </td>
                  <td data-label="Queued">
                    <Time iso={d.createdAt} />
                  </td>
                  <td data-label="Updated">
                    {d.deliveredAt ? (
                      <>
                        delivered <Time iso={d.deliveredAt} />
                      </>
                    ) : (
                      <Time iso={d.updatedAt} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </details>
  );
}

/** One channel: what it receives and where; for admins edit, send test and delete (with a confirmation). */
function ChannelCard({
  channel: c,
  admin,
  onChanged,
  onSecret,
}: {
  channel: Channel;
  admin: boolean;
  onChanged: () => Promise<void>;
  onSecret: (name: string, secret: string) => void;
}) {
  const [mode, setMode] = useState<"view" | "edit" | "confirm-delete">("view");
  const [said, setSaid] = useState<string | undefined>();
  const [sent, setSent] = useState(0);
  const words = routingWords(c);
  return (
    <section class="panel channel" aria-labelledby={`ch-${c.id}`} data-channel={c.id}>
      <h3 id={`ch-${c.id}`}>{c.name}</h3>
      <dl class="facts">
        <div>
          <dt>Kind</dt>
          <dd>{KIND_WORDS[c.kind]}</dd>
        </div>
        <div>
          <dt>Target</dt>
          <dd data-target-hint>{c.targetHint}</dd>
        </div>
        <div>
          <dt>Conditions</dt>
          <dd data-conditions>{words.conditions}</dd>
        </div>
        <div>
          <dt>Least severity</dt>
          <dd data-severity>{words.severity}</dd>
        </div>
        <div>
          <dt>Repeat</dt>
          <dd data-repeat>{words.repeat}</dd>
        </div>
        <div>
          <dt>Enabled</dt>
          <dd data-enabled>{c.enabled ? "Yes" : "No: sends nothing"}</dd>
        </div>
      </dl>
      {admin && mode === "view" ? (
        <p class="channel-actions">
          <button type="button" class="secondary" onClick={() => setMode("edit")}>
            Edit
          </button>
          <button
            type="button"
            class="secondary"
            onClick={async () => {
              try {
                await postJsonStatus(`${channelPath(c.id)}/test`);
                setSaid("Test notice queued: it appears in the delivery history.");
                setSent((n) => n + 1);
              } catch (e) {
                setSaid(`Could not send a test: ${e instanceof ApiError ? e.message : String(e)}`);
              }
            }}
          >
            Send test
          </button>
          <button type="button" class="secondary" onClick={() => setMode("confirm-delete")}>
            Delete
          </button>
          <span role="status">{said ?? ""}</span>
        </p>
      ) : null}
      {admin && mode === "confirm-delete" ? (
        <div class="alert error" role="alertdialog" aria-labelledby={`del-${c.id}`}>
          <p id={`del-${c.id}`}>Delete {c.name}? Alerts stop going there and its delivery history goes with it.</p>
          <p class="channel-actions">
            <button
              type="button"
              class="danger"
              onClick={async () => {
                try {
                  await deleteResource(channelPath(c.id));
                  await onChanged();
                } catch (e) {
                  setMode("view");
                  setSaid(`Could not delete it: ${e instanceof ApiError ? e.message : String(e)}`);
                }
              }}
            >
              Delete channel
            </button>
            <button type="button" class="secondary" onClick={() => setMode("view")}>
              Cancel
            </button>
          </p>
        </div>
      ) : null}
      {admin && mode === "edit" ? (
        <ChannelFormView
          idPrefix={`edit-${c.id}`}
          initial={formOf(c)}
          submitLabel="Save changes"
          targetHint={c.targetHint}
          cancel={() => setMode("view")}
          submit={async (f) => {
            const changes = changesOf(c, f);
            if (Object.keys(changes).length === 0) {
              setMode("view");
              setSaid("Nothing changed.");
              return;
            }
            const updated = await patchJson<CreatedChannel>(channelPath(c.id), changes);
            if (updated.webhookSecret) onSecret(updated.name, updated.webhookSecret);
            setSaid("Saved.");
            setMode("view");
            await onChanged();
          }}
        />
      ) : null}
      <DeliveryHistory channelId={c.id} refresh={sent} />
    </section>
  );
}

/** Where alerts go: the org's channels with their delivery history; admins add, edit, test and delete them. */
export function ChannelsScreen() {
  const me = useSession();
  const admin = hasRole(me.principal.role, "admin");
  const channels = useApi("alert-channels", () => getJson<ChannelPage>("/v1/alert-channels?limit=200"));
  const [secret, setSecret] = useState<{ name: string; secret: string } | undefined>();
  const [adding, setAdding] = useState(false);
  const items = channels.data?.items;
  const onSecret = (name: string, s: string) => setSecret({ name, secret: s });
  return (
    <>
      <p class="crumbs">
        <Link href="/alerts">Alerts</Link> /
      </p>
      <div class="title-row">
        <h1>Alert channels</h1>
        {admin && !adding ? (
          <button type="button" onClick={() => setAdding(true)}>
            Add channel
          </button>
        ) : null}
      </div>
      <p class="muted">
        Each alert goes to every enabled channel that takes its condition and severity: a webhook (signed), a Slack
        incoming webhook or email.{admin ? "" : " An admin adds and changes channels."}
      </p>
      {secret ? <SecretPanel {...secret} onDismiss={() => setSecret(undefined)} /> : null}
      {admin && adding ? (
        <section class="panel" aria-labelledby="new-channel-h">
          <h2 id="new-channel-h">New channel</h2>
          <ChannelFormView
            idPrefix="new"
            initial={EMPTY_FORM}
            submitLabel="Create channel"
            cancel={() => setAdding(false)}
            submit={async (f) => {
              const { body } = await postJsonStatus<CreatedChannel>("/v1/alert-channels", createBody(f));
              if (body.webhookSecret) onSecret(body.name, body.webhookSecret);
              setAdding(false);
              await channels.reload();
            }}
          />
        </section>
      ) : null}
      <LoadState
        error={channels.error}
        loading={channels.loading && !items}
        what="the channels"
        retry={() => void channels.reload()}
      />
      {items && items.length === 0 ? (
        <EmptyState title="No channels yet">
          <p>
            Alerts still open and show here and in the banner, but go nowhere else.
            {admin ? " Add a channel to be told." : " An admin adds one (POST /v1/alert-channels)."}
          </p>
        </EmptyState>
      ) : null}
      {items && items.length > 0 ? (
        <div class="channels">
          {items.map((c) => (
            <ChannelCard key={c.id} channel={c} admin={admin} onChanged={channels.reload} onSecret={onSecret} />
          ))}
        </div>
      ) : null}
    </>
  );
}
