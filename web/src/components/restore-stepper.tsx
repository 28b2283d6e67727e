import type { Step } from "../lib/restore-steps.js";

/** A symbol per status; the words (visible detail and the screen-reader status) carry the meaning. */
const SYMBOL: Record<Step["status"], string> = {
  done: "✔",
  current: "●",
  failed: "✖",
  stopped: "■",
  skipped: "–",
  todo: "○",
};

/**
 * The restore's steps (from restoreSteps): each done, in progress (with bytes of the total while the CLI
 * sends them), failed (the stage and reason), stopped, skipped or not reached. The step in progress is
 * `aria-current="step"`.
 */
export function RestoreStepper({ steps }: { steps: Step[] }) {
  return (
    <ol class="restore-steps" aria-label="Steps of this restore">
      {steps.map((s) => (
        <li
          key={s.key}
          class={`restore-step ${s.status}`}
          data-step={s.key}
          data-status={s.status}
          aria-current={s.status === "current" ? "step" : undefined}
        >
          <span class="restore-step-symbol" aria-hidden="true">
            {SYMBOL[s.status]}
          </span>
          <span class="restore-step-body">
            <span class="restore-step-label">
              {s.label}
              <span class="restore-step-status">{s.words}</span>
            </span>
            {s.detail ? <span class="restore-step-detail">{s.detail}</span> : null}
            {s.bytes ? (
              <progress
                class="restore-step-progress"
                aria-label={`${s.label}: ${s.detail ?? ""}`}
                max={s.bytes.total ?? undefined}
                value={s.bytes.total ? Math.min(s.bytes.done, s.bytes.total) : undefined}
              />
            ) : null}
          </span>
        </li>
      ))}
    </ol>
  );
}
