import { describeVkey } from "../lib/pinned-keys.js";
import type { PinnedKeysState } from "../lib/use-pinned-keys.js";
import { CopyButton } from "./copy-button.js";
import { formatTime } from "../lib/format.js";

function KeyList({ keys }: { keys: string[] }) {
  return (
    <ul class="keys">
      {keys.map((k) => (
        <li key={k}>
          <code class="wrap" title={describeVkey(k)}>
            {k}
          </code>
        </li>
      ))}
    </ul>
  );
}

/** Which keys in-browser verification trusts: pinned on first use (said so), unchanged, or changed (an error). */
export function KeysPanel({ keys }: { keys: PinnedKeysState }) {
  const { comparison: c, error } = keys;
  if (error)
    return (
      <div class="alert error" role="alert">
        {error}
      </div>
    );
  if (!c) return <p class="muted">Reading the published keys…</p>;
  const all = [...c.pinned.checkpoint, ...c.pinned.manifest];
  if (c.state === "changed") {
    return (
      <div class="alert error keys-panel" role="alert" data-keys="changed">
        <p>
          <strong>The published verifier keys changed</strong> since this browser pinned them on{" "}
          {formatTime(c.pinned.pinnedAt)}. Verification keeps using the pinned keys
          {c.originChanged ? ", and the log origin differs too" : ""}.
        </p>
        <p>Published now, not pinned:</p>
        <KeyList keys={c.added} />
        {c.removed.length ? (
          <>
            <p>Pinned, no longer published:</p>
            <KeyList keys={c.removed} />
          </>
        ) : null}
        <p>
          If your team rotated the keys, compare the new ones with a copy you got another way (for example{" "}
          <code>npx walwarden keys show</code> on a machine that pinned them), then trust them. Otherwise treat this as
          an attack on the keys.
        </p>
        <button type="button" class="danger" onClick={keys.trustPublished}>
          I compared them: trust the published keys
        </button>
      </div>
    );
  }
  return (
    <div class={`alert ${c.state === "first-use" ? "info" : "neutral"} keys-panel`} data-keys={c.state}>
      {c.state === "first-use" ? (
        <p>
          <strong>Keys pinned on first use.</strong> This browser has just pinned the verifier keys this Walwarden
          publishes, and will verify against them from now on and report any change. Compare them with your own copy:
        </p>
      ) : (
        <p>
          Verifying with the keys pinned in this browser on {formatTime(c.pinned.pinnedAt)} (log origin{" "}
          <code>{c.pinned.origin}</code>).
        </p>
      )}
      <details open={c.state === "first-use"}>
        <summary>Pinned keys ({all.length})</summary>
        <KeyList keys={all} />
        <CopyButton text={all.join("\n")} label="Copy the pinned keys" />
      </details>
    </div>
  );
}
