// Settings / Users: who signs in to the org's dashboard and with which role. Admins add a user (an email,
// a role and an initial password they hand over: the API sends no invitation), change a role (which signs
// the user out everywhere), and remove a user, each after a confirmation; the org's only admin can be
// neither demoted nor removed (the API refuses with a 409, whose words are shown if a stale list tried).
import type { Role, User } from "@walwarden/verifier/wire";
import { useState } from "preact/hooks";
import { deleteResource, patchJson, postJson } from "../api/client.js";
import { EmptyState } from "../components/empty-state.js";
import { LoadState } from "../components/load-state.js";
import { OnceSecret } from "../components/once-secret.js";
import { Time } from "../components/time.js";
import { hasRole, useSession } from "../lib/session.js";
import {
  adminCount,
  EMPTY_USER,
  generatePassword,
  isLastAdmin,
  LAST_ADMIN_WORDS,
  ROLE_ORDER,
  ROLE_WORDS,
  removalWords,
  roleChangeWords,
  USER_FIELDS,
  type UserField,
} from "../lib/settings.js";
import { allPages } from "../lib/settings-api.js";
import { loadSettingsChecks, useSettingsChecks } from "../lib/settings-load.js";
import { useApi } from "../lib/use-api.js";
import { useFieldForm } from "../lib/use-field-form.js";
import {
  Confirm,
  FormProblem,
  RoleField,
  RoleWords,
  SettingsTitle,
  TextField,
  WhoMay,
  SubmitOrCancel,
} from "./settings-parts.js";

const userPath = (id: string) => `/v1/users/${encodeURIComponent(id)}`;
const fieldId = (f: UserField) => `new-user-${f}`;

type Pending = { kind: "role"; user: User; role: Role } | { kind: "remove"; user: User };

/** The new-user form: checked with the API's own schema before it is sent; problems at their fields. */
function NewUserForm({
  onCreated,
  onCancel,
}: {
  onCreated: (u: User, password: string) => void;
  onCancel: () => void;
}) {
  useSettingsChecks(); // the schemas' chunk starts loading when the form opens, not with the list
  const { f, problems, busy, set, submit } = useFieldForm(EMPTY_USER, USER_FIELDS, fieldId, "email");
  const [show, setShow] = useState(false);
  return (
    <form
      class="settings-form"
      noValidate
      data-user-form
      onSubmit={submit(
        async (values) => (await loadSettingsChecks()).checkUser(values),
        async (body) => {
          const created = await postJson<User>("/v1/users", body);
          onCreated(created, body.password);
        },
      )}
    >
      <TextField
        id={fieldId("email")}
        label="Email"
        type="email"
        inputMode="email"
        value={f.email}
        onInput={(v) => set("email", v)}
        problem={problems.email}
        hint="What they sign in with."
      />
      <RoleField id={fieldId("role")} value={f.role} onChange={(r) => set("role", r)} problem={problems.role} />
      <TextField
        id={fieldId("password")}
        label="Initial password"
        type={show ? "text" : "password"}
        autoComplete="new-password"
        value={f.password}
        onInput={(v) => set("password", v)}
        problem={problems.password}
        hint="At least 12 characters. You choose it and hand it over yourself (below)."
      >
        <button
          type="button"
          class="secondary"
          onClick={() => {
            set("password", generatePassword());
            setShow(true);
          }}
        >
          Generate
        </button>
      </TextField>
      <label class="inline small" for="new-user-show">
        <input id="new-user-show" type="checkbox" checked={show} onChange={(e) => setShow(e.currentTarget.checked)} />{" "}
        Show the password
      </label>
      <p class="alert info honest" data-password-note>
        Walwarden sends no invitation and has no password reset yet. You set this user's first password here and give it
        to them yourself, for example through your password manager; it is shown to you once after adding. They cannot
        change it in the dashboard: to replace it, remove the user and add them again.
      </p>
      <FormProblem problem={problems.form} />
      <SubmitOrCancel label="Add user" busy={busy} onCancel={onCancel} />
    </form>
  );
}

/** Who is in the org, and (admins) add, change a role and remove, each with a confirmation. */
export function SettingsUsersScreen() {
  const me = useSession();
  const admin = hasRole(me.principal.role, "admin");
  const meId = me.principal.id;
  const users = useApi(admin ? "settings-users" : null, () => allPages<User>("/v1/users"));
  const [adding, setAdding] = useState(false);
  const [handOver, setHandOver] = useState<{ email: string; password: string } | undefined>();
  const [pending, setPending] = useState<Pending | undefined>();
  const [said, setSaid] = useState("");
  const list = users.data;

  if (!admin)
    return (
      <>
        <SettingsTitle title="Users" />
        <WhoMay role={me.principal.role}>
          Only an admin may see the org's users, add them, change their roles or remove them.
        </WhoMay>
        <h2>What each role may do</h2>
        <RoleWords />
      </>
    );

  const confirmAction = async () => {
    if (!pending) return;
    const { user } = pending;
    try {
      if (pending.kind === "role") {
        await patchJson<User>(userPath(user.id), { role: pending.role });
        setSaid(`${user.email} is now ${ROLE_WORDS[pending.role].label.toLowerCase()}.`);
      } else {
        await deleteResource(userPath(user.id));
        setSaid(`Removed ${user.email}.`);
      }
    } catch (e) {
      void users.reload(); // a refusal may mean the list was stale (another admin changed it): show it as it is
      throw e;
    }
    setPending(undefined);
    await users.reload(); // changing or removing yourself ends your session: this answers 401 and shows sign-in
  };

  return (
    <>
      <SettingsTitle title="Users">
        {!adding ? (
          <button
            type="button"
            onClick={() => {
              setAdding(true);
              setSaid("");
            }}
          >
            Add user
          </button>
        ) : null}
      </SettingsTitle>
      <p class="muted">
        Who signs in to {me.org?.name ?? "this org"}'s dashboard, each with a role. A role change or a removal signs
        that user out everywhere at once.
      </p>
      <details class="role-details">
        <summary>What each role may do</summary>
        <RoleWords />
      </details>
      {handOver ? (
        <OnceSecret
          title={`Initial password for ${handOver.email}`}
          secret={handOver.password}
          kept="only a hash of it"
          dismissLabel="I have handed it over"
          onDismiss={() => setHandOver(undefined)}
        >
          <p>Give it to them yourself; they sign in with {handOver.email} and this password.</p>
        </OnceSecret>
      ) : null}
      {adding ? (
        <section class="panel" aria-labelledby="new-user-h">
          <h2 id="new-user-h">New user</h2>
          <NewUserForm
            onCancel={() => setAdding(false)}
            onCreated={async (u, password) => {
              setAdding(false);
              setHandOver({ email: u.email, password });
              setSaid(`Added ${u.email} as ${ROLE_WORDS[u.role].label.toLowerCase()}.`);
              await users.reload();
            }}
          />
        </section>
      ) : null}
      {pending ? (
        <Confirm
          key={`${pending.kind}:${pending.user.id}`}
          question={
            pending.kind === "role"
              ? `Change ${pending.user.email} from ${ROLE_WORDS[pending.user.role].label.toLowerCase()} to ${ROLE_WORDS[pending.role].label.toLowerCase()}?`
              : pending.user.id === meId
                ? `Remove yourself (${pending.user.email})?`
                : `Remove ${pending.user.email}?`
          }
          confirmLabel={
            pending.kind === "role" ? "Change role" : pending.user.id === meId ? "Remove myself" : "Remove user"
          }
          onConfirm={confirmAction}
          onCancel={() => setPending(undefined)}
        >
          <p>
            {pending.kind === "role"
              ? roleChangeWords(pending.user, pending.role, meId)
              : removalWords(pending.user, meId)}
          </p>
        </Confirm>
      ) : null}
      <p role="status" class="said" data-said>
        {said}
      </p>
      <LoadState
        error={users.error}
        loading={users.loading && !list}
        what="the users"
        retry={() => void users.reload()}
      />
      {list && list.length === 0 ? <EmptyState title="No users" /> : null}
      {list && list.length > 0 ? (
        <>
          <p class="muted small" data-user-count>
            {list.length} user{list.length === 1 ? "" : "s"}, {adminCount(list)} admin
            {adminCount(list) === 1 ? "" : "s"}
          </p>
          <div class="table-wrap stack-on-phone">
            <table class="settings-table users-table">
              <caption class="sr-only">Users of the org, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((u) => {
                  const last = isLastAdmin(u, list);
                  // The role being confirmed shows in its row; never in a row that may not change.
                  const shownRole =
                    pending?.kind === "role" && pending.user.id === u.id && !last ? pending.role : u.role;
                  return (
                    <tr key={u.id} data-user={u.id} data-role={u.role}>
                      <th scope="row" data-label="Email" class="wrap">
                        <span title={u.id}>{u.email}</span>
                        {u.id === meId ? <span class="badge info you">you</span> : null}
                      </th>
                      <td data-label="Role">
                        <select
                          aria-label={`Role of ${u.email}`}
                          value={shownRole}
                          disabled={last}
                          aria-describedby={last ? `last-${u.id}` : undefined}
                          onChange={(e) => {
                            const role = e.currentTarget.value as Role;
                            setSaid("");
                            setPending(role === u.role ? undefined : { kind: "role", user: u, role });
                          }}
                        >
                          {ROLE_ORDER.map((r) => (
                            <option key={r} value={r}>
                              {ROLE_WORDS[r].label}
                            </option>
                          ))}
                        </select>
                        {last ? (
                          <span class="muted small block" id={`last-${u.id}`} data-last-admin>
                            {LAST_ADMIN_WORDS}
                          </span>
                        ) : null}
                      </td>
                      <td data-label="Added">
                        <Time iso={u.createdAt} />
                      </td>
                      <td class="row-actions">
                        <button
                          type="button"
                          class="secondary"
                          aria-label={`Remove ${u.email}`}
                          disabled={last}
                          aria-describedby={last ? `last-${u.id}` : undefined}
                          onClick={() => {
                            setSaid("");
                            setPending({ kind: "remove", user: u });
                          }}
                        >
                          Remove
                        </button>
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
