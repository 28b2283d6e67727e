import type { RetentionPolicy } from "@walwarden/verifier";
import { useState } from "preact/hooks";
import { type Fate, type RetentionState, reasonsWords } from "../lib/retention.js";
import { Link } from "./link.js";
import { Time } from "./time.js";

/** Rows shown before "Show all". */
const FIRST_ROWS = 25;

const FATE_LOOK = {
  kept: { words: "Kept", tone: "good", symbol: "●" },
  expires: { words: "Expires", tone: "warn", symbol: "▲" },
  deleted: { words: "Deleted", tone: "neutral", symbol: "○" },
} as const;

/** A backup's fate as a badge: words first; colour and symbol repeat them. */
function FateBadge({ fate }: { fate: keyof typeof FATE_LOOK }) {
  const look = FATE_LOOK[fate];
  return (
    <span class={`badge ${look.tone}`} data-fate={fate}>
      <span aria-hidden="true">{look.symbol}</span> {look.words}
    </span>
  );
}

/**
 * Every backup's fate, newest first, with its reasons in words; then those already deleted, with when. The
 * first rows of each, and the rest on request.
 */
export function RetentionFates({
  fates,
  expired,
  policy,
  caption,
}: {
  fates: readonly Fate[];
  expired: RetentionState["expired"];
  policy: RetentionPolicy | null;
  caption: string;
}) {
  const [all, setAll] = useState(false);
  const first = <T,>(rows: readonly T[]) => (all ? rows : rows.slice(0, FIRST_ROWS));
  return (
    <>
      {fates.length > 0 ? (
        <div class="table-wrap stack-on-phone">
          <table class="retention-fates" data-fates>
            <caption class="sr-only">{caption}</caption>
            <thead>
              <tr>
                <th scope="col">Completed</th>
                <th scope="col">Fate</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {first(fates).map((f) => (
                <tr key={f.backupId} data-retention-backup={f.backupId} data-keep={String(f.keep)}>
                  <th scope="row" data-label="Completed">
                    <Link href={`/backups/${f.backupId}`}>
                      <Time iso={f.at} />
                    </Link>
                  </th>
                  <td data-label="Fate">
                    <FateBadge fate={f.keep ? "kept" : "expires"} />
                  </td>
                  <td data-label="Why" class="wrap" data-reasons>
                    {reasonsWords(f.reasons, policy)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {expired.length > 0 ? (
        <div class="table-wrap stack-on-phone">
          <table class="retention-fates" data-deleted>
            <caption>Deleted already</caption>
            <thead>
              <tr>
                <th scope="col">Backup</th>
                <th scope="col">Fate</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {first(expired).map((e) => (
                <tr key={e.backupId} data-retention-backup={e.backupId} data-expired>
                  <th scope="row" data-label="Backup">
                    <code class="wrap">{e.backupId}</code>
                  </th>
                  <td data-label="Fate">
                    <FateBadge fate="deleted" />
                  </td>
                  <td data-label="When">
                    deleted <Time iso={e.expiredAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {fates.length > FIRST_ROWS || expired.length > FIRST_ROWS ? (
        <p>
          <button type="button" class="secondary" aria-expanded={all} onClick={() => setAll(!all)}>
            {all ? `Show the first ${FIRST_ROWS} of each` : `Show all ${fates.length + expired.length} backups`}
          </button>
        </p>
      ) : null}
    </>
  );
}
