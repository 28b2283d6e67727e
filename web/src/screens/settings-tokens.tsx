// Settings / API tokens: the org's tokens for scripts and CI (`Authorization: Bearer wwt_…`), with their
// role, who made each (from the org's signed log: the token list does not say), when it was made and last
// used, and whether it is revoked. Admins make one (its secret shown this once) and revoke one after a
// confirmation; a revoked token stays listed, as the log keeps it.
import type { ApiToken, CreatedApiToken, User } from "@walwarden/verifier/wire";
import { useState } from "preact/hooks";
import { deleteResource, postJson } from "../api/client.js";
import { EmptyState } from "../components/empty-state.js";
import { LoadState } from "../components/load-state.js";
import { OnceSecret } from "../components/once-secret.js";
import { Time } from "../components/time.js";
import { hasRole, useSession } from "../lib/session.js";
import {
  actorWords,
  EMPTY_TOKEN,
  ROLE_WORDS,
  revokeWords,
  TOKEN_FIELDS,
  type TokenField,
  tokensInOrder,
} from "../lib/settings.js";
import { allPages, tokenCreators } from "../lib/settings-api.js";
import { loadSettingsChecks, useSettingsChecks } from "../lib/settings-load.js";
import { useApi } from "../lib/use-api.js";
import { useFieldForm } from "../lib/use-field-form.js";
import { Confirm, FormProblem, RoleField, SettingsTitle, TextField, WhoMay, SubmitOrCancel } from "./settings-parts.js";

const fieldId = (f: TokenField) => `new-token-${f}`;

/** The new-token form, checked with the API's own schema before it is sent. */
function NewTokenForm({ onCreated, onCancel }: { onCreated: (t: CreatedApiToken) => void; onCancel: () => void }) {
  useSettingsChecks(); // the schemas' chunk starts loading when the form opens, not with the list
  const { f, problems, busy, set, submit } = useFieldForm(EMPTY_TOKEN, TOKEN_FIELDS, fieldId);
  return (
    <form
      class="settings-form"
      noValidate
      data-token-form
      onSubmit={submit(
        async (values) => (await loadSettingsChecks()).checkToken(values),
        async (body) => {
          onCreated(await postJson<CreatedApiToken>("/v1/tokens", body));
        },
      )}
    >
      <TextField
        id={fieldId("name")}
        label="Name"
        value={f.name}
        onInput={(v) => set("name", v)}
        problem={problems.name}
        hint="What uses it, e.g. “CI evidence export”: it is how you will know which to revoke."
      />
      <RoleField id={fieldId("role")} value={f.role} onChange={(r) => set("role", r)} problem={problems.role} />
      <FormProblem problem={problems.form} />
      <SubmitOrCancel label="Create token" busy={busy} onCancel={onCancel} />
    </form>
  );
}

interface TokenData {
  tokens: ApiToken[];
  users: User[];
  creators: Map<string, string>;
}

/** The org's API tokens; admins create (shown once) and revoke them. */
export function SettingsTokensScreen() {
  const me = useSession();
  const admin = hasRole(me.principal.role, "admin");
  const data = useApi<TokenData>(admin ? "settings-tokens" : null, async () => {
    const [tokens, users, creators] = await Promise.all([
      allPages<ApiToken>("/v1/tokens"),
      allPages<User>("/v1/users"),
      tokenCreators(),
    ]);
    return { tokens, users, creators };
  });
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<CreatedApiToken | undefined>();
  const [revoking, setRevoking] = useState<ApiToken | undefined>();
  const [said, setSaid] = useState("");

  if (!admin)
    return (
      <>
        <SettingsTitle title="API tokens" />
        <WhoMay role={me.principal.role}>
          Only an admin may see the org's API tokens, create them or revoke them.
        </WhoMay>
      </>
    );

  const d = data.data;
  const dir = { meId: me.principal.id, users: d?.users, tokens: d?.tokens };
  const live = d ? d.tokens.filter((t) => t.revokedAt === null).length : 0;
  return (
    <>
      <SettingsTitle title="API tokens">
        {!adding ? (
          <button
            type="button"
            onClick={() => {
              setAdding(true);
              setSaid("");
            }}
          >
            Create token
          </button>
        ) : null}
      </SettingsTitle>
      <p class="muted">
        For scripts and CI: a token acts with its role on the API, sent as <code>Authorization: Bearer wwt_…</code>.
        Walwarden keeps only its SHA-256, so a token is shown once, when it is created.
      </p>
      {created ? (
        <OnceSecret
          title={`Token “${created.name}”`}
          secret={created.token}
          kept="only its SHA-256"
          dismissLabel="I have stored it"
          onDismiss={() => setCreated(undefined)}
        >
          <p class="how-to">
            Role: {ROLE_WORDS[created.role].label.toLowerCase()}. Use it as{" "}
            <code class="wrap">curl -H "Authorization: Bearer $WALWARDEN_TOKEN" {window.location.origin}/v1/rpo</code>.
            If it is lost, revoke it and create another.
          </p>
        </OnceSecret>
      ) : null}
      {adding ? (
        <section class="panel" aria-labelledby="new-token-h">
          <h2 id="new-token-h">New token</h2>
          <NewTokenForm
            onCancel={() => setAdding(false)}
            onCreated={async (t) => {
              setAdding(false);
              setCreated(t);
              setSaid(`Created “${t.name}”.`);
              await data.reload();
            }}
          />
        </section>
      ) : null}
      {revoking ? (
        <Confirm
          key={revoking.id}
          question={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke token"
          onCancel={() => setRevoking(undefined)}
          onConfirm={async () => {
            await deleteResource(`/v1/tokens/${encodeURIComponent(revoking.id)}`);
            setRevoking(undefined);
            setSaid(`Revoked “${revoking.name}”.`);
            await data.reload();
          }}
        >
          <p>{revokeWords(revoking)}</p>
        </Confirm>
      ) : null}
      <p role="status" class="said" data-said>
        {said}
      </p>
      <LoadState error={data.error} loading={data.loading && !d} what="the tokens" retry={() => void data.reload()} />
      {d && d.tokens.length === 0 ? (
        <EmptyState title="No API tokens yet">
          <p>Create one for a script or CI job that reads or manages the org through the API.</p>
        </EmptyState>
      ) : null}
      {d && d.tokens.length > 0 ? (
        <>
          <p class="muted small" data-token-count>
            {live} active, {d.tokens.length - live} revoked
          </p>
          <div class="table-wrap stack-on-phone">
            <table class="settings-table tokens-table">
              <caption class="sr-only">API tokens, active ones first</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Created by</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokensInOrder(d.tokens).map((t) => {
                  const by = actorWords(d.creators.get(t.id), dir);
                  return (
                    <tr key={t.id} data-token={t.id} data-state={t.revokedAt ? "revoked" : "active"}>
                      <th scope="row" data-label="Name" class="wrap">
                        <span title={t.id}>{t.name}</span>
                      </th>
                      <td data-label="Role">{ROLE_WORDS[t.role].label}</td>
                      <td data-label="Created by" class="wrap" data-created-by>
                        <span title={by.title}>{by.text}</span>
                      </td>
                      <td data-label="Created">
                        <Time iso={t.createdAt} />
                      </td>
                      <td data-label="Last used" data-last-used>
                        {t.lastUsedAt ? <Time iso={t.lastUsedAt} /> : <span class="muted">never</span>}
                      </td>
                      <td data-label="State" data-token-state>
                        {t.revokedAt ? (
                          <>
                            <span class="badge neutral">Revoked</span> <Time iso={t.revokedAt} />
                          </>
                        ) : (
                          <span class="badge good">Active</span>
                        )}
                      </td>
                      <td class="row-actions">
                        {t.revokedAt ? null : (
                          <button
                            type="button"
                            class="secondary"
                            aria-label={`Revoke ${t.name}`}
                            onClick={() => {
                              setSaid("");
                              setRevoking(t);
                            }}
                          >
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </>
  );
}
