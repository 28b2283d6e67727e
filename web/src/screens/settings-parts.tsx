// Parts the settings screens share: their navigation, the line that says who may change a setting, a text
// field with its hint and its problem, the role picker with what each role may do, and the confirmation of
// an action that cannot be undone (which shows the API's refusal in its place and stays open).
import type { Role } from "@walwarden/verifier/wire";
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/client.js";
import { ConfirmButtons } from "../components/confirm-buttons.js";
import { Link } from "../components/link.js";
import { useLocation } from "../lib/router.js";
import { ROLE_ORDER, ROLE_WORDS } from "../lib/settings.js";

const SECTIONS = [
  { href: "/settings/users", label: "Users" },
  { href: "/settings/tokens", label: "API tokens" },
  { href: "/settings/buckets", label: "Bucket credentials" },
];

/** The settings screens' own navigation, with the current one marked. */
export function SettingsNav() {
  const { path } = useLocation();
  return (
    <nav class="settings-nav" aria-label="Settings">
      <ul>
        {SECTIONS.map((s) => (
          <li key={s.href}>
            <Link href={s.href} current={path === s.href}>
              {s.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The screen's title under "Settings /". */
export function SettingsTitle({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <>
      <p class="crumbs">
        <Link href="/settings">Settings</Link> /
      </p>
      <div class="title-row">
        <h1>{title}</h1>
        {children}
      </div>
      <SettingsNav />
    </>
  );
}

/** Who may do what is on this screen, said to someone who may not. */
export function WhoMay({ role, children }: { role: Role; children: ComponentChildren }) {
  return (
    <p class="alert neutral who-may" data-who-may>
      {children} You are signed in as {ROLE_WORDS[role].label.toLowerCase()}.
    </p>
  );
}

/** A one-line text field: label, hint and problem tied to the input (a refused submit moves the focus to it). */
export function TextField({
  id,
  label,
  value,
  onInput,
  problem,
  hint,
  type = "text",
  autoComplete = "off",
  placeholder,
  inputMode,
  readOnly,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  problem?: string;
  hint?: ComponentChildren;
  type?: "text" | "password" | "email" | "url";
  autoComplete?: string;
  placeholder?: string;
  inputMode?: "text" | "email" | "url";
  readOnly?: boolean;
  children?: ComponentChildren;
}) {
  const describedBy = [hint ? `${id}-hint` : "", problem ? `${id}-problem` : ""].filter(Boolean).join(" ");
  return (
    <div class="field settings-field">
      <label for={id}>{label}</label>
      <span class="field-row">
        <input
          id={id}
          // Preact types each input type apart; the union is one field whose type the caller picks.
          type={type as "text"}
          value={value}
          autoComplete={autoComplete}
          spellcheck={false}
          placeholder={placeholder}
          inputMode={inputMode}
          readOnly={readOnly}
          aria-invalid={problem ? "true" : undefined}
          aria-describedby={describedBy || undefined}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
        {children}
      </span>
      {hint ? (
        <span class="muted small" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {problem ? (
        <p class="field-problem" id={`${id}-problem`} data-problem={id}>
          {problem}
        </p>
      ) : null}
    </div>
  );
}

/** The role picker: each role with what it may do. */
export function RoleField({
  id,
  value,
  onChange,
  problem,
}: {
  id: string;
  value: Role;
  onChange: (r: Role) => void;
  problem?: string;
}) {
  return (
    <div class="field settings-field">
      <label for={id}>Role</label>
      <select
        id={id}
        value={value}
        aria-describedby={`${id}-hint${problem ? ` ${id}-problem` : ""}`}
        onChange={(e) => onChange(e.currentTarget.value as Role)}
      >
        {ROLE_ORDER.map((r) => (
          <option key={r} value={r}>
            {ROLE_WORDS[r].label}
          </option>
        ))}
      </select>
      <span class="muted small" id={`${id}-hint`}>
        {ROLE_WORDS[value].label}: {ROLE_WORDS[value].may}.
      </span>
      {problem ? (
        <p class="field-problem" id={`${id}-problem`} data-problem={id}>
          {problem}
        </p>
      ) : null}
    </div>
  );
}

/** The three roles and what each may do. */
export function RoleWords() {
  return (
    <dl class="role-words">
      {ROLE_ORDER.map((r) => (
        <div key={r}>
          <dt>{ROLE_WORDS[r].label}</dt>
          <dd>{ROLE_WORDS[r].may}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A form's submit button (off while it sends) and its Cancel. */
export function SubmitOrCancel({ label, busy, onCancel }: { label: string; busy: boolean; onCancel: () => void }) {
  return (
    <p class="channel-actions">
      <button type="submit" disabled={busy}>
        {label}
      </button>
      <button type="button" class="secondary" onClick={onCancel}>
        Cancel
      </button>
    </p>
  );
}

/** A problem that belongs to the whole form (or an API refusal no field owns). */
export function FormProblem({ problem, id }: { problem?: string; id?: string }) {
  if (!problem) return null;
  return (
    <div class="alert error" role="alert" id={id} data-problem="form">
      <p>{problem}</p>
    </div>
  );
}

/**
 * The confirmation of one action: the question, what it does, the button that does it and Cancel. Focus
 * moves here when it opens. If the action throws, the API's message is shown here and it stays open.
 */
export function Confirm({
  question,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  question: string;
  children?: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onCancel: () => void;
}) {
  const [problem, setProblem] = useState<string | undefined>();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), [question]);
  return (
    <div
      class="alert error confirm"
      role="alertdialog"
      aria-labelledby="confirm-q"
      aria-describedby="confirm-what"
      tabIndex={-1}
      ref={box}
      data-confirm
    >
      <p id="confirm-q">
        <strong>{question}</strong>
      </p>
      <div id="confirm-what">{children}</div>
      {problem ? (
        <p class="refusal" role="alert" data-refusal>
          Refused: {problem}
        </p>
      ) : null}
      <ConfirmButtons
        label={confirmLabel}
        onCancel={onCancel}
        onConfirm={async () => {
          setProblem(undefined);
          try {
            await onConfirm();
          } catch (e) {
            setProblem(e instanceof ApiError ? e.message : String(e));
          }
        }}
      />
    </div>
  );
}
