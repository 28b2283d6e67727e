// The runners screen's bucket posture (verifier/SPEC.md §12): for each bucket a runner reported, what
// protects it (versioning, Object Lock, public access, default encryption, lifecycle) in words, who
// reported it and when, and, while it is less protected than before, an at-risk callout listing what got
// worse: the state the bucket.at_risk critical alert (subject `bucket:<name>`, linked here) holds.
import type { BucketPostureView, Runner } from "@walwarden/verifier/wire";
import { getJson } from "../api/client.js";
import { EmptyState } from "../components/empty-state.js";
import { LoadState } from "../components/load-state.js";
import { Time } from "../components/time.js";
import { atRisk, atRiskTitle, postureCountWords, postureParts, runnerLabel, sortPostures } from "../lib/posture.js";
import { useApi } from "../lib/use-api.js";

/** The Bucket posture panel: every bucket of GET /v1/bucket-postures, the ones at risk first. */
export function PosturePanel({ runners }: { runners: readonly Runner[] | undefined }) {
  const postures = useApi(
    "bucket-postures",
    () => getJson<{ items: BucketPostureView[] }>("/v1/bucket-postures"),
    60_000,
  );
  const items = postures.data ? sortPostures(postures.data.items) : undefined;
  return (
    <section class="panel" aria-labelledby="posture-h" data-posture-panel>
      <h2 id="posture-h">Bucket posture</h2>
      <p class="muted">
        What protects each backup bucket, as its runner last read it. “Could not be read” is not a finding: the store
        lacks that API, or the runner's credentials may not read it.
      </p>
      <LoadState
        error={postures.error}
        loading={postures.loading && !items}
        what="the bucket posture"
        retry={() => void postures.reload()}
      />
      {items && items.length === 0 ? (
        <EmptyState title="No bucket posture reported yet">
          <p>
            Runners report their bucket's posture with their claims every few minutes; it shows here after a runner's
            next report.
          </p>
        </EmptyState>
      ) : null}
      {items && items.length > 0 ? (
        <>
          <p class="posture-count" data-posture-count>
            {postureCountWords(items)}
          </p>
          {items.map((v) => (
            <BucketPosture key={v.bucket} view={v} runners={runners} />
          ))}
        </>
      ) : null}
    </section>
  );
}

/** One bucket: its name and state, the at-risk callout when worse, its parts in words, who reported it and when. */
function BucketPosture({ view, runners }: { view: BucketPostureView; runners: readonly Runner[] | undefined }) {
  const risky = atRisk(view);
  const runner = runnerLabel(view.runnerId, runners);
  const headingId = `posture-${view.bucket}`;
  return (
    <article
      class={`posture-bucket${risky ? " at-risk" : ""}`}
      aria-labelledby={headingId}
      data-posture-bucket={view.bucket}
      data-at-risk={risky ? "true" : "false"}
    >
      <h3 id={headingId} class="posture-name">
        <span class="posture-bucket-name">{view.bucket}</span>{" "}
        {risky ? <span class="badge bad">At risk</span> : <span class="badge good">Not worse than before</span>}
      </h3>
      {risky ? (
        <div class="alert error posture-risk" role="alert" data-posture-risk>
          <p>
            <strong>{atRiskTitle(view.bucket)}:</strong>
          </p>
          <ul>
            {view.worsening.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
          <p>The critical alert “Bucket at risk” stays open until a runner reports a posture that is not worse.</p>
        </div>
      ) : null}
      <dl class="facts">
        {postureParts(view.posture).map((p) => (
          <div key={p.key}>
            <dt>{p.label}</dt>
            <dd data-part={p.key} data-unread={p.unread ? "true" : undefined} class={p.unread ? "none" : undefined}>
              {p.lines.length === 1 ? (
                p.lines[0]
              ) : (
                <ul class="posture-rules">
                  {p.lines.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
        ))}
        <div>
          <dt>Reported by</dt>
          <dd data-part="runner">
            {runner}
            {runner !== view.runnerId ? <code class="muted small block">{view.runnerId}</code> : null}
          </dd>
        </div>
        <div>
          <dt>Last reported</dt>
          <dd data-part="reported">
            <Time iso={view.reportedAt} relative />{" "}
            <span class="muted small">
              <Time iso={view.reportedAt} />
            </span>
          </dd>
        </div>
        <div>
          <dt>Last changed</dt>
          <dd data-part="changed">
            <Time iso={view.changedAt} />
          </dd>
        </div>
      </dl>
    </article>
  );
}
