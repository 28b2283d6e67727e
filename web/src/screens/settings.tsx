// Settings: the org's users, API tokens and bucket credentials, a screen each (issue 17), and what an admin
// may change on each. This page says what each holds and who may change it.
import { Link } from "../components/link.js";
import { hasRole, useSession } from "../lib/session.js";
import { ROLE_WORDS } from "../lib/settings.js";
import { RoleWords, SettingsNav } from "./settings-parts.js";

const AREAS = [
  {
    href: "/settings/users",
    title: "Users",
    what: "Who signs in to the dashboard, with which role: add a user, change a role, remove one.",
    viewers: false,
  },
  {
    href: "/settings/tokens",
    title: "API tokens",
    what: "Tokens for scripts and CI, each with a role: create one (shown once), revoke one.",
    viewers: false,
  },
  {
    href: "/settings/buckets",
    title: "Bucket credentials",
    what: "The read-only key per bucket the Worker presigns restore downloads with, and the IAM policy it needs.",
    viewers: true,
  },
];

/** The settings areas, each with what it holds and who may see and change it. */
export function SettingsScreen() {
  const me = useSession();
  const admin = hasRole(me.principal.role, "admin");
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      <p class="muted">
        Only an admin may change settings. You are signed in as {ROLE_WORDS[me.principal.role].label.toLowerCase()}.
      </p>
      <ul class="settings-areas">
        {AREAS.map((a) => (
          <li key={a.href} class="panel" data-area={a.href}>
            <h2>
              <Link href={a.href}>{a.title}</Link>
            </h2>
            <p>{a.what}</p>
            <p class="muted small">
              {admin ? "You may change this." : a.viewers ? "You may read this; an admin changes it." : "Admins only."}
            </p>
          </li>
        ))}
      </ul>
      <h2>What each role may do</h2>
      <RoleWords />
    </>
  );
}
