import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, getJson, postJson } from "../api/client.js";
import type { BucketCredentialList, IssueRestoreResponse } from "@walwarden/verifier/wire";
import { rememberIssuedCommand } from "../lib/issued-restores.js";
import { navigate } from "../lib/router.js";
import { hasRole, useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";
import { Link } from "./link.js";
import { Time } from "./time.js";

/** The backup a restore is issued from, as the confirmation names it. */
export interface IssueTarget {
  backupId: string;
  /** `s3://bucket/key`: the bucket must have a read-only credential, or no token can be claimed. */
  artifactUri: string;
  /** Undefined while it loads: the button waits, so the confirmation never names an id it could name better. */
  databaseName: string | undefined;
  completedAt: string;
}

/** Where an admin adds a bucket's read-only credential. */
const BUCKETS_PAGE = "/settings/buckets";

/** Why no restore can be issued from this bucket, with where an admin fixes it; nothing while it can. */
function NoCredential({ bucket }: { bucket: string }) {
  const me = useSession();
  return (
    <p class="alert info" data-no-credential>
      Restores of this backup need a read-only credential for bucket <code class="wrap">{bucket}</code>, and it has none
      yet: the Worker presigns the CLI's download with it.{" "}
      {hasRole(me.principal.role, "admin") ? (
        <>
          Add one in <Link href={BUCKETS_PAGE}>Settings → Buckets</Link>.
        </>
      ) : (
        <>
          Ask an admin to add one in <Link href={BUCKETS_PAGE}>Settings → Buckets</Link>.
        </>
      )}
    </p>
  );
}

/**
 * "Restore this backup…" (or "Re-issue…"): opens a confirmation naming the database and the backup's time,
 * with the choice of a full restore or a dry run and what will happen; issuing shows the one-time command
 * on the new restore's screen. Operators only; the bucket's read-only credential is checked first
 * (GET /v1/buckets), so an admin is sent to Settings → Buckets instead of to a refused request.
 */
export function RestoreIssue({
  target,
  label = "Restore this backup…",
  defaultDryRun = false,
}: {
  target: IssueTarget;
  label?: string;
  defaultDryRun?: boolean;
}) {
  const buckets = useApi("buckets", () => getJson<BucketCredentialList>("/v1/buckets"));
  const [open, setOpen] = useState(false);
  const bucket = /^s3:\/\/([^/]+)\//.exec(target.artifactUri)?.[1];
  const known = buckets.data ? buckets.data.items.some((b) => b.bucket === bucket) : undefined;
  if (bucket && known === false) return <NoCredential bucket={bucket} />;
  return (
    <>
      <p>
        <button
          type="button"
          onClick={() => setOpen(true)}
          disabled={(!buckets.data && !buckets.error) || target.databaseName === undefined}
          data-issue
        >
          {label}
        </button>
      </p>
      {open ? (
        <IssueDialog target={target} defaultDryRun={defaultDryRun} onClose={() => setOpen(false)} bucket={bucket} />
      ) : null}
    </>
  );
}

/** The confirmation: a native modal <dialog> (focus stays inside it, Escape closes it), then POST /v1/restores. */
function IssueDialog({
  target,
  defaultDryRun,
  onClose,
  bucket,
}: {
  target: IssueTarget;
  defaultDryRun: boolean;
  onClose: () => void;
  bucket: string | undefined;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [dryRun, setDryRun] = useState(defaultDryRun);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; noCredential: boolean } | undefined>();

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const issue = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const issued = await postJson<IssueRestoreResponse>("/v1/restores", {
        backupId: target.backupId,
        ...(dryRun ? { dryRun: true } : {}),
      });
      rememberIssuedCommand(issued.restoreId, issued.command);
      onClose();
      navigate(`/restores/${issued.restoreId}`);
    } catch (e) {
      const message = e instanceof ApiError ? e.message : String(e);
      setError({ message, noCredential: /no read-only credential/.test(message) });
      setBusy(false);
    }
  };

  return (
    // A native modal dialog: the page behind is inert, Tab stays inside, Escape fires `cancel`, then `close`.
    <dialog
      ref={ref}
      class="restore-dialog"
      aria-labelledby="issue-h"
      aria-describedby="issue-what"
      onClose={onClose}
      data-issue-dialog
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void issue();
        }}
      >
        <h2 id="issue-h">
          Restore <span class="restore-dialog-name">{target.databaseName}</span> from its backup of{" "}
          <Time iso={target.completedAt} />?
        </h2>
        <p class="muted small">
          Backup <code class="wrap">{target.backupId}</code>
        </p>
        <fieldset class="restore-choice">
          <legend>What the CLI does</legend>
          <label>
            <input
              type="radio"
              name="restore-kind"
              value="restore"
              checked={!dryRun}
              onChange={() => setDryRun(false)}
              autofocus={!defaultDryRun}
            />{" "}
            Restore into a database
            <span class="block muted small">
              Download, verify, then run <code>pg_restore</code> into the target you name on that machine.
            </span>
          </label>
          <label>
            <input
              type="radio"
              name="restore-kind"
              value="dry-run"
              checked={dryRun}
              onChange={() => setDryRun(true)}
              autofocus={defaultDryRun}
            />{" "}
            Dry run: verify only
            <span class="block muted small">
              Download and verify; no database is contacted or written (<code>--dry-run</code>).
            </span>
          </label>
        </fieldset>
        <div id="issue-what">
          <p>What happens:</p>
          <ol class="restore-what">
            <li>
              Walwarden issues a one-time token, valid for at most 15 minutes, and shows the command with it once.
              Issuing is logged.
            </li>
            <li>
              You run that command with the <code>walwarden</code> CLI on a machine you control. It downloads the backup
              straight from your bucket{bucket ? ` (${bucket})` : ""} and checks it against the keys you pinned.
            </li>
            <li>
              {dryRun
                ? "It stops there: nothing is restored, and the restore is recorded as a dry run."
                : "Only then does it restore into the target database, whose address and password never reach Walwarden."}
            </li>
          </ol>
          <p class="muted small">Nothing happens until the command runs; you can cancel the token until then.</p>
        </div>
        {error ? (
          <p class="alert error" role="alert">
            Could not issue the restore: {error.message}
            {error.noCredential ? (
              <>
                {" "}
                An admin adds the credential in <Link href={BUCKETS_PAGE}>Settings → Buckets</Link>.
              </>
            ) : null}
          </p>
        ) : null}
        <div class="restore-dialog-actions">
          <button type="submit" disabled={busy} data-confirm>
            {busy ? "Issuing…" : dryRun ? "Issue dry-run command" : "Issue restore command"}
          </button>
          <button type="button" class="secondary" onClick={() => ref.current?.close()} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
