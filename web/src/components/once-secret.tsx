import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { CopyButton } from "./copy-button.js";

/**
 * A secret shown this once (a new API token, a new user's initial password): the API keeps only a hash of
 * it and never answers it again, and this page keeps it only in memory until dismissed. Focus moves here
 * when it appears, so the warning is read first.
 */
export function OnceSecret({
  title,
  secret,
  kept,
  dismissLabel,
  onDismiss,
  children,
}: {
  title: string;
  secret: string;
  /** What Walwarden keeps instead of it, e.g. "only its SHA-256". */
  kept: string;
  dismissLabel: string;
  onDismiss: () => void;
  children?: ComponentChildren;
}) {
  const box = useRef<HTMLElement>(null);
  useEffect(() => box.current?.focus(), [secret]);
  return (
    <section
      class="panel secret-panel once-secret"
      aria-labelledby="once-secret-h"
      tabIndex={-1}
      ref={box}
      data-once-secret
    >
      <h2 id="once-secret-h">{title}</h2>
      <p class="once-warning">
        <strong>Copy it now: it will not be shown again.</strong> Walwarden keeps {kept}; leaving or reloading this page
        loses it.
      </p>
      <p class="once-value">
        <code class="secret" data-secret>
          {secret}
        </code>{" "}
        <CopyButton text={secret} />
      </p>
      {children}
      <button type="button" class="secondary" onClick={onDismiss}>
        {dismissLabel}
      </button>
    </section>
  );
}
