import { useState } from "preact/hooks";
import type { RestoreState } from "@walwarden/verifier/wire";
import { countdownWords, formatCountdown } from "../lib/restore-actions.js";
import { CopyButton } from "./copy-button.js";

/** How the CLI is installed (cli/README.md). */
const INSTALL = "npm install -g @walwarden/cli";

/** Why a command no longer works, in words, by the restore's state. */
function spentWords(state: RestoreState): string {
  if (state === "expired") return "Its token expired unclaimed, so the command no longer works and is not shown.";
  if (state === "cancelled") return "Its token was cancelled, so the command no longer works and is not shown.";
  if (state === "issued") return "Its token has expired, so the command no longer works and is not shown.";
  return "The CLI has claimed this restore: the one-time token in the command is spent, so the command is no longer shown.";
}

/**
 * The one-time command, while its token can still be claimed: shown once (it lives only in this page's
 * memory, handed over by the screen that issued it), with how to install the CLI; it can be hidden and
 * shown again until a CLI claims it or the token dies. Then it collapses to one line saying why, and the
 * token is not on the page any more.
 */
export function RestoreCommand({
  command,
  hadCommand,
  state,
  usable,
  expiresInMs,
}: {
  /** The command, while this page holds it. */
  command: string | undefined;
  /** This page held the command and let it go once the token was spent or dead. */
  hadCommand: boolean;
  state: RestoreState;
  /** The token can still be claimed. */
  usable: boolean;
  expiresInMs: number | null;
}) {
  const [hidden, setHidden] = useState(false);
  if (!command && !hadCommand) {
    if (state !== "issued" || !usable) return null;
    return (
      <p class="alert neutral restore-command-gone" data-command-gone>
        The one-time command was shown once, right after this restore was issued, and is not kept anywhere. If you no
        longer have it, cancel this restore and issue a new one.
      </p>
    );
  }
  if (!command || !usable)
    return (
      <p class="restore-command-spent" data-command-spent>
        <span aria-hidden="true">
          {state === "issued" || state === "expired" || state === "cancelled" ? "■ " : "✔ "}
        </span>
        {spentWords(state)}
      </p>
    );
  const dryRun = / --dry-run\b/.test(command);
  if (hidden)
    return (
      <p class="restore-command-hidden" data-command-hidden>
        The one-time command is hidden.{" "}
        <button type="button" class="secondary" onClick={() => setHidden(false)} aria-expanded="false">
          Show the command
        </button>
      </p>
    );
  return (
    <section class="panel command restore-command" aria-labelledby="command-h" data-command-panel>
      <h2 id="command-h">Run this command on the machine that can reach the target</h2>
      <p>
        <strong>Shown once.</strong> The token in it works once
        {expiresInMs !== null ? (
          <>
            {" "}
            and expires in <span aria-hidden="true">{formatCountdown(expiresInMs)}</span>
            <span class="sr-only">{countdownWords(expiresInMs)}</span>
          </>
        ) : null}
        .{" "}
        {dryRun ? (
          "A dry run downloads and verifies only: no database is contacted."
        ) : (
          <>
            Set <code>TARGET_DATABASE_URL</code> there first (and the password in <code>PGPASSWORD</code> or{" "}
            <code>~/.pgpass</code>): the target's address and password never reach Walwarden.
          </>
        )}
      </p>
      <pre class="code" data-command>
        {command}
      </pre>
      <p class="restore-command-actions">
        <CopyButton text={command} label="Copy command" />
        <button type="button" class="secondary" onClick={() => setHidden(true)} aria-expanded="true">
          Hide the command
        </button>
      </p>
      <div class="restore-install" data-install>
        <h3>Not installed yet?</h3>
        <pre class="code">{INSTALL}</pre>
        <p class="muted small">
          Node 20.12 or newer; the program is <code>walwarden</code>.
          {dryRun
            ? " A dry run needs nothing else."
            : " A restore also needs pg_restore (PostgreSQL's client tools, of a major version at least the backup's pg_dump) and zstd on that machine."}
        </p>
      </div>
    </section>
  );
}
