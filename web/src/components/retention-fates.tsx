import type { RetentionPolicy } from "@walwarden/verifier";
import { createContext } from "preact";
import { useContext, useMemo, useState } from "preact/hooks";
import {
  type Cadence,
  expiryWords,
  type Fate,
  type ProjectionView,
  projectionNote,
  type RetentionState,
  reasonsWords,
} from "../lib/retention.js";
import type { RetentionEngine } from "../lib/use-retention-engine.js";
import { Link } from "./link.js";
import { Time } from "./time.js";

/**
 * What the Expires column is projected from: the engine, the Worker's retention state the fates were
 * decided over, and the cadence of backups to come (or, in words, why it cannot be told). Given by the
 * retention panel; without it (or for a table with no policy) the table has no Expires column.
 */
export interface ProjectionSource {
  engine: RetentionEngine;
  state: RetentionState;
  cadence: Cadence | string;
}
/** The projection's inputs for every fates table inside the retention panel (the editor's preview too). */
export const ProjectionContext = createContext<ProjectionSource | undefined>(undefined);

/** The projection for a policy over the panel's state, or why there is none; undefined without a source. */
function useProjection(policy: RetentionPolicy | null): { view: ProjectionView; note: string } | string | undefined {
  const source = useContext(ProjectionContext);
  return useMemo(() => {
    if (!source || !policy) return undefined;
    if (typeof source.cadence === "string") return source.cadence;
    const view = source.engine.projectFates(source.state, policy, source.cadence.ms);
    return "problem" in view
      ? `No expiry projection: ${view.problem}.`
      : { view, note: projectionNote(source.cadence) };
  }, [source, policy]);
}

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

/** A backup's projected expiry: "around" a date, "at the next prune", or "not within 2 years". */
function ExpiresCell({ projection, backupId }: { projection: ProjectionView; backupId: string }) {
  const e = projection.expiries.get(backupId);
  if (!e)
    return (
      <td data-label="Expires (projected)" data-expires="none">
        <span class="muted">—</span>
      </td>
    );
  const kind = e.next ? "next-prune" : e.expiresAt ? "around" : "beyond";
  return (
    <td data-label="Expires (projected)" data-expires={kind}>
      {expiryWords(e, projection)}
      {e.expiresAt ? (
        <>
          {" "}
          <Time iso={e.expiresAt} />
        </>
      ) : null}
    </td>
  );
}

/**
 * Every backup's fate, newest first, with its reasons in words and, inside the retention panel with a
 * policy, when the verifier's projection says it would expire; then those already deleted, with when. The
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
  const projection = useProjection(policy);
  const projected = typeof projection === "object" ? projection.view : undefined;
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
                {projected ? <th scope="col">Expires (projected)</th> : null}
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
                  {projected ? <ExpiresCell projection={projected} backupId={f.backupId} /> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {fates.length > 0 && projection !== undefined ? (
        <p class="muted small" data-expiry-note>
          {typeof projection === "object" ? projection.note : projection}
        </p>
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
