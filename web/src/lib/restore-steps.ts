// The restore screen's stepper, derived from the restore's state and its logged transitions (the restore
// state machine, verifier/SPEC.md §7) and the CLI's latest progress numbers. A state names the step in
// progress: `downloading` means the download has started, not that it is done, so a step is done only once
// a later one has begun. Pure: the screen renders what this returns, and restore-steps.test.ts walks every
// state of the verifier's machine.
import type { ProgressEvent, RestoreState, TransitionEvent } from "@walwarden/verifier/wire";
import { formatBytes } from "./format.js";

/** The steps of a restore that runs to its end, in order (the states of its happy path). */
export const STEP_KEYS = ["issued", "claimed", "downloading", "verifying", "restoring", "completed"] as const;
/** One step. */
export type StepKey = (typeof STEP_KEYS)[number];

/**
 * Where a step is: done; in progress (`current`); failed (the restore failed while it was in progress);
 * stopped (the token expired or was cancelled while waiting for a claim); skipped (a dry run restores
 * nothing); not reached (`todo`).
 */
export type StepStatus = "done" | "current" | "failed" | "stopped" | "skipped" | "todo";

/** A step as the stepper shows it. */
export interface Step {
  key: StepKey;
  label: string;
  status: StepStatus;
  /** The status in words ("done", "in progress", "waiting" for the claim, …): shown beside the label. */
  words: string;
  /** What it is doing, how it ended or why it failed, in words; null when there is nothing to add. */
  detail: string | null;
  /** For the step in progress, when the CLI sent numbers for it: bytes so far and of how many (null: unknown). */
  bytes: { done: number; total: number | null } | null;
}

/** What the stepper is derived from. */
export interface StepInput {
  /** The restore's state: the last transition's, else the restore's as loaded. */
  state: RestoreState;
  /** The logged transitions known so far, in any order (merged from the restore's history and its stream). */
  transitions: readonly TransitionEvent[];
  /** The CLI's latest numbers (not logged); used only for the phase they are about. */
  progress?: ProgressEvent | undefined;
  /** The restore's failure as loaded (the failed transition's data wins when it is known). */
  failure?: { stage: string; reason: string } | null;
  /** The restore's dryRun as loaded (the completed transition's data wins). */
  dryRun?: boolean | null;
}

/** Each step's name. */
export const STEP_LABELS: Record<StepKey, string> = {
  issued: "Issued",
  claimed: "Claimed",
  downloading: "Download",
  verifying: "Verify",
  restoring: "Restore",
  completed: "Completed",
};

/** Each status in words, for screen readers (the colour and the symbol only repeat them). */
export const STATUS_WORDS: Record<StepStatus, string> = {
  done: "done",
  current: "in progress",
  failed: "failed",
  stopped: "stopped",
  skipped: "skipped",
  todo: "not reached",
};

/** What the step in progress is doing, when the CLI has sent no numbers for it. */
const DOING: Record<StepKey, string> = {
  issued: "waiting for the CLI to claim the token",
  claimed: "the CLI is checking the backup's signed manifest and log entry",
  downloading: "downloading from your bucket",
  verifying: "checking the SHA-256, the signature and the log inclusion",
  restoring: "pg_restore is writing into the target",
  completed: "",
};

/** A failure stage as the CLI reports it (SPEC's `stage`, cli/README.md), mapped to the step it stops. */
const STAGE_STEP: Record<string, StepKey> = {
  claim: "issued",
  keys: "claimed",
  preflight: "claimed",
  download: "downloading",
  decompress: "verifying",
  verify: "verifying",
  restore: "restoring",
  check: "restoring",
};

/**
 * The states a restore never leaves (the verifier's TERMINAL_STATES, kept here so the screens need not load
 * the verifier to know when a stream has ended; restore-steps.test.ts checks the two agree).
 */
export const TERMINAL: ReadonlySet<RestoreState> = new Set<RestoreState>([
  "completed",
  "failed",
  "expired",
  "cancelled",
]);

const isStep = (s: RestoreState): s is StepKey => (STEP_KEYS as readonly string[]).includes(s);

/**
 * The step a failure stopped: the one in progress (the state before `failed` in the history), or the one its
 * stage names when that is later (a download that fails its hash check is reported `verify` from
 * `downloading`: the download itself ended). A stage the CLI does not map (`abandoned`, `interrupted`,
 * `report`) leaves the step in progress; with no history either, the first step.
 */
function failedStep(ordered: readonly TransitionEvent[], stage: string | undefined): StepKey {
  const last = ordered.filter((t) => t.state !== "failed").at(-1)?.state;
  const before = last && isStep(last) && last !== "completed" ? last : undefined;
  const named = stage ? STAGE_STEP[stage] : undefined;
  if (before && named) return STEP_KEYS.indexOf(named) > STEP_KEYS.indexOf(before) ? named : before;
  return before ?? named ?? "issued";
}

/** "3.0 MiB of 7.3 MiB", "3.0 MiB so far", with the speed and what pg_restore is doing when known. */
function progressWords(p: ProgressEvent): string {
  const size = p.totalBytes
    ? `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}`
    : `${formatBytes(p.bytes)} so far`;
  const speed = p.bytesPerSecond ? `, ${formatBytes(p.bytesPerSecond)}/s` : "";
  return `${size}${speed}${p.detail ? ` — ${p.detail}` : ""}`;
}

/** What a finished step adds, from its transition's data. */
function doneDetail(key: StepKey, t: TransitionEvent | undefined, dryRun: boolean): string | null {
  const d = t?.data ?? {};
  if (key === "claimed" && typeof d.clientVersion === "string") return `by CLI ${d.clientVersion}`;
  if (key === "verifying" && typeof d.sha256 === "string") return `SHA-256 ${d.sha256.slice(0, 12)}…`;
  if (key === "completed") return dryRun ? "dry run: verified, nothing restored" : "restored into the target";
  return null;
}

/** The stepper of a restore in `input.state`, with the step in progress, failed or stopped said in words. */
export function restoreSteps(input: StepInput): Step[] {
  const ordered = [...input.transitions].sort((a, b) => a.n - b.n);
  const byState = new Map(ordered.map((t) => [t.state, t]));
  const failedT = byState.get("failed");
  const failure =
    failedT && typeof failedT.data.stage === "string"
      ? { stage: failedT.data.stage, reason: String(failedT.data.reason ?? "") }
      : (input.failure ?? null);
  const completedT = byState.get("completed");
  const dryRun = completedT ? completedT.data.dryRun === true : input.dryRun === true;

  // Which step is where the restore is (or ended), and how it is there.
  let at: StepKey;
  let atStatus: StepStatus;
  let atDetail: string | null = null;
  const state = input.state;
  switch (state) {
    case "issued":
    case "claimed":
    case "downloading":
    case "verifying":
    case "restoring":
      at = state;
      atStatus = "current";
      break;
    case "completed":
      at = "completed";
      atStatus = "done";
      break;
    case "failed":
      at = failedStep(ordered, failure?.stage);
      atStatus = "failed";
      atDetail = failure ? `${failure.stage}: ${failure.reason}` : "the restore failed";
      break;
    case "expired":
      at = "issued";
      atStatus = "stopped";
      atDetail = "no CLI claimed the token before it expired";
      break;
    case "cancelled":
      at = "issued";
      atStatus = "stopped";
      atDetail = "cancelled before any CLI claimed it";
      break;
    default: {
      const never: never = state;
      throw new Error(`unknown restore state ${String(never)}`);
    }
  }
  const atIndex = STEP_KEYS.indexOf(at);

  return STEP_KEYS.map((key, i): Step => withWords(stepAt(key, i)));

  function stepAt(key: StepKey, i: number): Omit<Step, "words"> {
    const base = { key, label: STEP_LABELS[key], bytes: null };
    if (key === "restoring" && state === "completed" && dryRun)
      return { ...base, status: "skipped", detail: "dry run: nothing is restored" };
    if (i < atIndex) return { ...base, status: "done", detail: doneDetail(key, byState.get(key), dryRun) };
    if (i > atIndex) return { ...base, status: "todo", detail: null };
    if (atStatus === "done") return { ...base, status: "done", detail: doneDetail(key, byState.get(key), dryRun) };
    if (atStatus !== "current") return { ...base, status: atStatus, detail: atDetail };
    const p = input.progress && input.progress.phase === key ? input.progress : undefined;
    if (!p) {
      const version = byState.get("claimed")?.data.clientVersion;
      const doing =
        key === "claimed" && typeof version === "string"
          ? DOING.claimed.replace("the CLI", `CLI ${version}`)
          : DOING[key];
      return { ...base, status: "current", detail: doing };
    }
    return { ...base, status: "current", detail: progressWords(p), bytes: { done: p.bytes, total: p.totalBytes } };
  }
}

/** A step with its status in words: the first step in progress is waiting (for a CLI to claim the token). */
function withWords(s: Omit<Step, "words">): Step {
  return { ...s, words: s.key === "issued" && s.status === "current" ? "waiting" : STATUS_WORDS[s.status] };
}
