// Settings / Bucket credentials: the read-only key per bucket the Worker presigns restore downloads with
// (docs/restore-credentials.md). Everyone sees which buckets are set up and which buckets the runners
// write to have none (restores from those are refused); admins set, replace and remove a credential. The
// secret is write-only: never answered back, so replacing a credential means entering it again. The IAM
// policy such a key needs is shown here, for the bucket being set up.
import type { ApiToken, BucketCredential, BucketPostureView, User } from "@walwarden/verifier/wire";
import { useState } from "preact/hooks";
import { deleteResource, getJson } from "../api/client.js";
import { CopyButton } from "../components/copy-button.js";
import { EmptyState } from "../components/empty-state.js";
import { LoadState } from "../components/load-state.js";
import { Time } from "../components/time.js";
import { hasRole, useSession } from "../lib/session.js";
import {
  actorWords,
  BUCKET_FIELDS,
  BUCKET_NAME,
  type BucketField,
  type BucketForm,
  bucketFormOf,
  bucketsWithout,
  DEFAULT_PREFIX,
  DEFAULT_REGION,
  endpointWords,
  restorePolicyJson,
} from "../lib/settings.js";
import { allPages, putBucketCredential } from "../lib/settings-api.js";
import { loadSettingsChecks, useSettingsChecks } from "../lib/settings-load.js";
import { useApi } from "../lib/use-api.js";
import { useFieldForm } from "../lib/use-field-form.js";
import { Confirm, FormProblem, SettingsTitle, TextField, WhoMay } from "./settings-parts.js";

interface BucketData {
  credentials: BucketCredential[];
  reported: string[];
  users?: User[];
  tokens?: ApiToken[];
}

/** The credential form, new (`existing` undefined) or replacing one: checked with the API's own schema. */
function BucketFormView({
  idPrefix,
  initial,
  existing,
  taken,
  onBucket,
  onSaved,
  onCancel,
}: {
  idPrefix: string;
  initial: BucketForm;
  existing?: BucketCredential;
  /** Buckets that have a credential already (saving a new one for them replaces it). */
  taken: readonly string[];
  onBucket?: (bucket: string) => void;
  onSaved: (c: BucketCredential) => Promise<void>;
  onCancel: () => void;
}) {
  useSettingsChecks(); // the schemas' chunk starts loading when the form opens, not with the list
  const id = (k: BucketField) => `${idPrefix}-${k}`;
  const form = useFieldForm(initial, BUCKET_FIELDS, id);
  const { f, problems, busy } = form;
  const set = <K extends BucketField>(k: K, v: BucketForm[K]) => {
    form.set(k, v);
    if (k === "bucket") onBucket?.(String(v));
  };
  const replaces = !existing && taken.includes(f.bucket.trim());
  return (
    <form
      class="settings-form bucket-form"
      noValidate
      data-bucket-form
      onSubmit={form.submit(
        async (values) => (await loadSettingsChecks()).checkBucket(values),
        async (body) => {
          await onSaved(await putBucketCredential(body.bucket, body.body));
        },
      )}
    >
      <TextField
        id={id("bucket")}
        label="Bucket"
        value={f.bucket}
        readOnly={existing !== undefined}
        onInput={(v) => set("bucket", v)}
        problem={problems.bucket}
        placeholder="acme-backups"
        hint={
          existing
            ? "To set up another bucket, add it: a credential belongs to one bucket."
            : replaces
              ? "This bucket has a credential already: saving replaces it."
              : "The S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens."
        }
      />
      <TextField
        id={id("endpoint")}
        label="Endpoint (optional)"
        type="url"
        inputMode="url"
        value={f.endpoint}
        onInput={(v) => set("endpoint", v)}
        problem={problems.endpoint}
        placeholder="empty for AWS"
        hint={
          <>
            Empty for AWS. R2: <code>https://&lt;account-id&gt;.r2.cloudflarestorage.com</code> with region{" "}
            <code>auto</code>. MinIO and most self-hosted servers: their URL, with path-style URLs.
          </>
        }
      />
      <TextField
        id={id("region")}
        label="Region"
        value={f.region}
        onInput={(v) => set("region", v)}
        problem={problems.region}
        placeholder={DEFAULT_REGION}
        hint={`Empty: ${DEFAULT_REGION}.`}
      />
      <div class="field">
        <label class="inline" for={id("forcePathStyle")}>
          <input
            id={id("forcePathStyle")}
            type="checkbox"
            checked={f.forcePathStyle}
            onChange={(e) => set("forcePathStyle", e.currentTarget.checked)}
          />{" "}
          Path-style URLs (endpoint/bucket/key)
        </label>
        {problems.forcePathStyle ? (
          <p class="field-problem" data-problem={id("forcePathStyle")}>
            {problems.forcePathStyle}
          </p>
        ) : null}
      </div>
      <TextField
        id={id("accessKeyId")}
        label="Access key id"
        value={f.accessKeyId}
        onInput={(v) => set("accessKeyId", v)}
        problem={problems.accessKeyId}
        placeholder="AKIA…"
        hint="Of a key that may only read the backups (the IAM policy on this page)."
      />
      <TextField
        id={id("secretAccessKey")}
        label="Secret access key"
        type="password"
        autoComplete="new-password"
        value={f.secretAccessKey}
        onInput={(v) => set("secretAccessKey", v)}
        problem={problems.secretAccessKey}
        hint={
          existing
            ? "Enter it again: the secret is write-only and never shown, so a change needs it once more."
            : "Write-only: sealed when saved and never shown again, not even to admins."
        }
      />
      <FormProblem problem={problems.form} />
      <p class="channel-actions">
        <button type="submit" disabled={busy}>
          {existing ? "Save credential" : "Add credential"}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </form>
  );
}

/** The IAM policy of the read-only key for `bucket`, with what it does not allow and the R2 equivalent. */
function PolicyPanel({ bucket }: { bucket: string }) {
  const policy = restorePolicyJson(bucket);
  return (
    <section class="panel policy-panel" aria-labelledby="policy-h" data-policy>
      <h2 id="policy-h">The key's IAM policy</h2>
      <p>
        Create an IAM user (or use your runner's account) with exactly this policy, and set its access key here. It may
        read objects under <code>{DEFAULT_PREFIX}/</code> in <code class="wrap">{bucket}</code> and nothing else: no{" "}
        <code>ListBucket</code>, no <code>PutObject</code>, no <code>DeleteObject</code>. A leaked key can read backups
        (rotate it by saving a new one) but can neither list, change nor delete them.
      </p>
      <pre class="code policy-json" data-policy-json>
        {policy}
      </pre>
      <p class="channel-actions">
        <CopyButton text={policy} label="Copy policy" />
      </p>
      <p class="muted small">
        If your runner writes under another prefix (<code>bucket.prefix</code>, <code>WALWARDEN_S3_PREFIX</code>), put
        it in place of <code>{DEFAULT_PREFIX}/</code>. On R2, create an API token with <strong>Object Read only</strong>{" "}
        on this bucket instead. The same text is in <code>docs/restore-credentials.md</code> of the Walwarden
        repository.
      </p>
    </section>
  );
}

/** One bucket's credential: where its requests go and which key; admins replace or remove it. */
function BucketCard({
  c,
  admin,
  dir,
  taken,
  onChanged,
  onSaid,
}: {
  c: BucketCredential;
  admin: boolean;
  dir: Parameters<typeof actorWords>[1];
  taken: readonly string[];
  onChanged: () => Promise<void>;
  onSaid: (s: string) => void;
}) {
  const [mode, setMode] = useState<"view" | "edit" | "remove">("view");
  const by = actorWords(c.updatedBy, dir);
  return (
    <section class="panel bucket-card" aria-labelledby={`bucket-${c.bucket}`} data-bucket={c.bucket}>
      <h3 id={`bucket-${c.bucket}`} class="wrap">
        {c.bucket}
      </h3>
      <dl class="facts">
        <div>
          <dt>Endpoint</dt>
          <dd data-fact="endpoint" class="wrap">
            {endpointWords(c)}
          </dd>
        </div>
        <div>
          <dt>Region</dt>
          <dd data-fact="region">{c.region}</dd>
        </div>
        <div>
          <dt>URLs</dt>
          <dd data-fact="path-style">{c.forcePathStyle ? "Path-style" : "Virtual-hosted"}</dd>
        </div>
        <div>
          <dt>Access key id</dt>
          <dd data-fact="access-key" class="wrap">
            <code>{c.accessKeyId}</code>
          </dd>
        </div>
        <div>
          <dt>Secret</dt>
          <dd data-fact="secret">Set; write-only, never shown</dd>
        </div>
        <div>
          <dt>Last set</dt>
          <dd data-fact="updated">
            <Time iso={c.updatedAt} /> by <span title={by.title}>{by.text}</span>
          </dd>
        </div>
      </dl>
      {admin && mode === "view" ? (
        <p class="channel-actions">
          <button
            type="button"
            class="secondary"
            aria-label={`Replace the credential of ${c.bucket}`}
            onClick={() => setMode("edit")}
          >
            Replace
          </button>
          <button
            type="button"
            class="secondary"
            aria-label={`Remove the credential of ${c.bucket}`}
            onClick={() => setMode("remove")}
          >
            Remove
          </button>
        </p>
      ) : null}
      {admin && mode === "remove" ? (
        <Confirm
          question={`Remove the credential of ${c.bucket}?`}
          confirmLabel="Remove credential"
          onCancel={() => setMode("view")}
          onConfirm={async () => {
            await deleteResource(`/v1/buckets/${encodeURIComponent(c.bucket)}`);
            onSaid(`Removed the credential of ${c.bucket}.`);
            await onChanged();
          }}
        >
          <p>
            Restores of backups in {c.bucket} are refused until a credential is set again. Nothing in the bucket is
            touched, and restores already issued keep the download URL they were given.
          </p>
        </Confirm>
      ) : null}
      {admin && mode === "edit" ? (
        <BucketFormView
          idPrefix={`edit-${c.bucket}`}
          initial={bucketFormOf(c)}
          existing={c}
          taken={taken}
          onCancel={() => setMode("view")}
          onSaved={async (saved) => {
            setMode("view");
            onSaid(`Saved the credential of ${saved.bucket}.`);
            await onChanged();
          }}
        />
      ) : null}
    </section>
  );
}

/** The org's bucket credentials; admins add, replace and remove them. */
export function SettingsBucketsScreen() {
  const me = useSession();
  const admin = hasRole(me.principal.role, "admin");
  const data = useApi<BucketData>(`settings-buckets:${admin}`, async () => {
    const [credentials, postures, users, tokens] = await Promise.all([
      getJson<{ items: BucketCredential[] }>("/v1/buckets"),
      getJson<{ items: BucketPostureView[] }>("/v1/bucket-postures"),
      admin ? allPages<User>("/v1/users") : undefined,
      admin ? allPages<ApiToken>("/v1/tokens") : undefined,
    ]);
    return { credentials: credentials.items, reported: postures.items.map((p) => p.bucket), users, tokens };
  });
  const [adding, setAdding] = useState<string | undefined>(); // the bucket name to start with, while the form is open
  const [typed, setTyped] = useState("");
  const [said, setSaid] = useState("");
  const d = data.data;
  const taken = d?.credentials.map((c) => c.bucket) ?? [];
  const missing = d ? bucketsWithout(d.reported, d.credentials) : [];
  const dir = { meId: me.principal.id, users: d?.users, tokens: d?.tokens };
  const policyBucket = [typed.trim(), missing[0], taken[0]].find((b) => b && BUCKET_NAME.test(b)) ?? "your-bucket";
  const startAdding = (bucket: string) => {
    setAdding(bucket);
    setTyped(bucket);
    setSaid("");
  };

  return (
    <>
      <SettingsTitle title="Bucket credentials">
        {admin && adding === undefined ? (
          <button type="button" onClick={() => startAdding("")}>
            Add bucket
          </button>
        ) : null}
      </SettingsTitle>
      <p class="intro">
        A restore's CLI downloads the dump straight from your bucket with a URL the Worker presigns (GET only, one
        object, 15 minutes); the Worker never fetches the object. To sign that URL it needs, per bucket, a key that can
        do one thing: <code>s3:GetObject</code> on the backup prefix. Without one, a restore from that bucket is
        refused. The secret is sealed at rest and never answered back, not even to admins.
      </p>
      {!admin ? <WhoMay role={me.principal.role}>Only an admin may add, replace or remove a credential.</WhoMay> : null}
      <p role="status" class="said" data-said>
        {said}
      </p>
      <LoadState
        error={data.error}
        loading={data.loading && !d}
        what="the bucket credentials"
        retry={() => void data.reload()}
      />
      {missing.length > 0 ? (
        <div class="alert neutral" data-missing>
          <p>
            Your runners write to {missing.length === 1 ? "a bucket" : "buckets"} with no credential: restores of
            backups in {missing.length === 1 ? "it" : "them"} are refused until one is set.
          </p>
          <ul class="missing-buckets">
            {missing.map((b) => (
              <li key={b} data-missing-bucket={b}>
                <code class="wrap">{b}</code>{" "}
                {admin && adding === undefined ? (
                  <button type="button" class="secondary" aria-label={`Set up ${b}`} onClick={() => startAdding(b)}>
                    Set up
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {admin && adding !== undefined ? (
        <section class="panel" aria-labelledby="new-bucket-h">
          <h2 id="new-bucket-h">New bucket credential</h2>
          <BucketFormView
            key={adding}
            idPrefix="new-bucket"
            initial={bucketFormOf(undefined, adding)}
            taken={taken}
            onBucket={setTyped}
            onCancel={() => {
              setAdding(undefined);
              setTyped("");
            }}
            onSaved={async (saved) => {
              setAdding(undefined);
              setTyped("");
              setSaid(`Saved the credential of ${saved.bucket}.`);
              await data.reload();
            }}
          />
        </section>
      ) : null}
      {adding !== undefined ? <PolicyPanel bucket={policyBucket} /> : null}
      {d && d.credentials.length === 0 ? (
        <EmptyState title="No bucket credentials yet">
          <p>
            Restores cannot be issued until the bucket of the backup has one.
            {admin ? " Add one with a key that has the IAM policy on this page." : " An admin adds one."}
          </p>
        </EmptyState>
      ) : null}
      {d && d.credentials.length > 0 ? (
        <div class="buckets">
          {d.credentials.map((c) => (
            <BucketCard
              key={c.bucket}
              c={c}
              admin={admin}
              dir={dir}
              taken={taken}
              onChanged={data.reload}
              onSaid={setSaid}
            />
          ))}
        </div>
      ) : null}
      {adding === undefined ? <PolicyPanel bucket={policyBucket} /> : null}
    </>
  );
}
