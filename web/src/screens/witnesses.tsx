// Witnesses (verifier/SPEC.md §13): who cosigns the org's log and how far behind each is. The runners witness
// it with their own keys, without configuration; external witnesses (C2SP tlog-witness servers) are pushed
// to by the cron tick. Each row says how much of the log it cosigned ("1,204 of 1,210"), how long the oldest
// checkpoint it has not cosigned has waited ("up to date" at the head), when its newest cosignature was kept,
// and its cosigner vkey to copy into `walwarden-verify … --witness`. Admins add an external witness (its
// vkey and URL, checked with the API's own schema; the API's refusals at their field) and remove one after
// a confirmation. Refreshes every 15 s.
import type { RunnerWitness, Witness, WitnessList } from "@walwarden/verifier/wire";
import { useState } from "preact/hooks";
import { deleteResource, getJson, putJson } from "../api/client.js";
import { CopyButton } from "../components/copy-button.js";
import { EmptyState } from "../components/empty-state.js";
import { LoadState } from "../components/load-state.js";
import { Time } from "../components/time.js";
import { Truncated } from "../components/truncated.js";
import { hasRole, useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";
import { useFieldForm } from "../lib/use-field-form.js";
import {
  cosignedWords,
  EMPTY_WITNESS,
  nameOfVkey,
  pushWords,
  WITNESS_FIELDS,
  type WitnessField,
  waitWords,
  witnessPath,
} from "../lib/witnesses.js";
import { Confirm, FormProblem, TextField, SubmitOrCancel } from "./settings-parts.js";

const fieldId = (f: WitnessField) => `new-witness-${f}`;
const loadChecks = () => import("../lib/witness-checks.js");

/** How far it cosigned, and how long the oldest checkpoint it has not cosigned has waited. */
function LagCells({ w }: { w: Pick<Witness, "cosignedSize" | "headSize" | "lagSeconds" | "waitingSince"> }) {
  const wait = waitWords(w);
  return (
    <>
      <td data-label="Cosigned" data-cosigned>
        {cosignedWords(w.cosignedSize, w.headSize)}
      </td>
      <td data-label="Waited" data-waited>
        <span class={`badge ${wait.tone}`} title={w.waitingSince ? `waiting since ${w.waitingSince}` : undefined}>
          {wait.text}
        </span>
      </td>
    </>
  );
}

/** A cosigner vkey, whole (it wraps), with a copy button. */
function KeyCell({ vkey, name }: { vkey: string; name: string }) {
  return (
    <td data-label="Witness key (vkey)" class="wrap">
      <code class="wrap small" data-vkey>
        {vkey}
      </code>{" "}
      <CopyButton text={vkey} label={`Copy key`} />
      <span class="sr-only"> of {name}</span>
    </td>
  );
}

function RunnerTable({ runners }: { runners: RunnerWitness[] }) {
  return (
    <div class="table-wrap stack-on-phone">
      <table data-runner-witnesses>
        <caption class="sr-only">Runners as witnesses</caption>
        <thead>
          <tr>
            <th scope="col">Runner</th>
            <th scope="col">Cosigned</th>
            <th scope="col">Waited</th>
            <th scope="col">Last cosignature</th>
            <th scope="col">Witness key (vkey)</th>
          </tr>
        </thead>
        <tbody>
          {runners.map((r) => (
            <tr key={r.runnerId} data-witness-runner={r.runnerId}>
              <th scope="row" data-label="Runner" class="name-cell">
                <Truncated text={r.name} />
                <code class="muted small wrap">{r.keyName}</code>
              </th>
              <LagCells w={r} />
              <td data-label="Last cosignature">
                {r.cosignedAt ? <Time iso={r.cosignedAt} /> : <span class="none">None yet</span>}
              </td>
              <KeyCell vkey={r.vkey} name={r.name} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ExternalTable({ items, admin, remove }: { items: Witness[]; admin: boolean; remove: (w: Witness) => void }) {
  return (
    <div class="table-wrap stack-on-phone">
      <table data-external-witnesses>
        <caption class="sr-only">External witnesses</caption>
        <thead>
          <tr>
            <th scope="col">Witness</th>
            <th scope="col">Cosigned</th>
            <th scope="col">Waited</th>
            <th scope="col">Last cosignature</th>
            <th scope="col">Last push</th>
            <th scope="col">Witness key (vkey)</th>
            {admin ? (
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {items.map((w) => (
            <tr key={w.id} data-witness={w.name}>
              <th scope="row" data-label="Witness" class="name-cell">
                <span class="wrap">{w.name}</span>
                <code class="muted small wrap">{w.url}</code>
              </th>
              <LagCells w={w} />
              <td data-label="Last cosignature">
                {w.cosignedAt ? <Time iso={w.cosignedAt} /> : <span class="none">None yet</span>}
              </td>
              <td data-label="Last push" class="wrap" data-push>
                <span class={w.lastError ? "reason" : "muted"}>{pushWords(w)}</span>
                {w.retryAfter ? (
                  <span class="muted small" data-retry>
                    {" "}
                    Tried again after <Time iso={w.retryAfter} />.
                  </span>
                ) : null}
              </td>
              <KeyCell vkey={w.vkey} name={w.name} />
              {admin ? (
                <td data-label="">
                  <button type="button" class="secondary" onClick={() => remove(w)}>
                    Remove<span class="sr-only"> {w.name}</span>
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The add form: the witness's vkey (its name is the vkey's) and URL, checked with the API's schema. */
function AddWitnessForm({ onAdded, onCancel }: { onAdded: (name: string) => Promise<void>; onCancel: () => void }) {
  const { f, problems, busy, set, submit } = useFieldForm(EMPTY_WITNESS, WITNESS_FIELDS, fieldId);
  const name = nameOfVkey(f.vkey);
  return (
    <form
      class="settings-form"
      noValidate
      data-witness-form
      onSubmit={submit(
        async (values) => (await loadChecks()).checkWitness(values),
        async ({ name: n, body }) => {
          await putJson<Witness>(witnessPath(n), body);
          await onAdded(n);
        },
      )}
    >
      <TextField
        id={fieldId("vkey")}
        label="Witness key (cosigner vkey)"
        value={f.vkey}
        onInput={(v) => set("vkey", v)}
        problem={problems.vkey}
        placeholder="witness.example.com/w1+1a2b3c4d+BA…"
        hint={
          name ? (
            <>
              It will be named <code class="wrap">{name}</code>, the key's name.
            </>
          ) : (
            "The witness's cosigner vkey (type 0x04) from its operator: the witness is named by its key's name."
          )
        }
      />
      <TextField
        id={fieldId("url")}
        label="Submission URL"
        type="url"
        inputMode="url"
        value={f.url}
        onInput={(v) => set("url", v)}
        problem={problems.url}
        placeholder="https://witness.example.com/w1"
        hint="Its tlog-witness prefix: the Worker POSTs to <URL>/add-checkpoint. https to a public host."
      />
      <FormProblem problem={problems.form} />
      <SubmitOrCancel label="Add witness" busy={busy} onCancel={onCancel} />
    </form>
  );
}

/** The org's witnesses: its runners and its external witnesses with their lag; admins add and remove external ones. */
export function WitnessesScreen() {
  const me = useSession();
  const admin = hasRole(me.principal.role, "admin");
  const list = useApi("witnesses", () => getJson<WitnessList>("/v1/witnesses"), 15_000);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Witness | undefined>();
  const [said, setSaid] = useState("");
  const d = list.data;
  return (
    <>
      <div class="title-row">
        <h1>Witnesses</h1>
        {admin && !adding ? (
          <button
            type="button"
            onClick={() => {
              setAdding(true);
              setSaid("");
            }}
          >
            Add a witness
          </button>
        ) : null}
      </div>
      <p class="muted">
        A witness cosigns a checkpoint of the audit log only if it extends the one it cosigned before, so a verifier
        that requires its cosignature knows the log showed it the same history. Pin their keys with{" "}
        <code class="wrap">walwarden-verify bundle evidence.zip --key … --witness "&lt;vkey&gt;"</code> or in the
        offline verify page. Appends never wait for a witness: this is how far behind each is.
      </p>
      {admin && adding ? (
        <section class="panel" aria-labelledby="new-witness-h">
          <h2 id="new-witness-h">Add an external witness</h2>
          <AddWitnessForm
            onCancel={() => setAdding(false)}
            onAdded={async (name) => {
              setAdding(false);
              setSaid(`Added ${name}: the next cron tick pushes the log's checkpoint to it.`);
              await list.reload();
            }}
          />
        </section>
      ) : null}
      {removing ? (
        <Confirm
          key={removing.id}
          question={`Remove the witness ${removing.name}?`}
          confirmLabel="Remove witness"
          onCancel={() => setRemoving(undefined)}
          onConfirm={async () => {
            await deleteResource(witnessPath(removing.name));
            setRemoving(undefined);
            setSaid(`Removed ${removing.name}.`);
            await list.reload();
          }}
        >
          <p>
            The Worker stops pushing checkpoints to it. The cosignatures it already made stay on their checkpoints, and
            the removal is logged.
          </p>
        </Confirm>
      ) : null}
      <p role="status" class="said" data-said>
        {said}
      </p>
      <LoadState
        error={list.error}
        loading={list.loading && !d}
        what="the witnesses"
        retry={() => void list.reload()}
      />
      {d ? (
        <>
          <section aria-labelledby="runner-witnesses-h">
            <h2 id="runner-witnesses-h">Runners</h2>
            {d.runners.length === 0 ? (
              <EmptyState title="No runner witnesses yet">
                <p>
                  A runner witnesses the log once it has registered its key, which <code>walwarden-runner run</code>{" "}
                  does on its first run. Revoked runners are not listed.
                </p>
              </EmptyState>
            ) : (
              <RunnerTable runners={d.runners} />
            )}
          </section>
          <section aria-labelledby="external-witnesses-h">
            <h2 id="external-witnesses-h">External witnesses</h2>
            {d.items.length === 0 ? (
              <EmptyState title="No external witnesses">
                <p>
                  {admin ? "Add one above" : "An admin adds one"}: a tlog-witness server you or a third party runs,
                  configured with this log's origin and checkpoint key.
                </p>
              </EmptyState>
            ) : (
              <ExternalTable items={d.items} admin={admin} remove={setRemoving} />
            )}
          </section>
        </>
      ) : null}
    </>
  );
}
