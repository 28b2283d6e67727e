import { err, ok, type Result } from "../result.js";
import type { LogEntry } from "./entry.js";

/** The states of a restore, in the order a successful one passes through them. */
export const RESTORE_STATES = [
  "issued",
  "claimed",
  "downloading",
  "verifying",
  "restoring",
  "completed",
  "failed",
  "expired",
  "cancelled",
] as const;
/** A restore's state. */
export type RestoreState = (typeof RESTORE_STATES)[number];

/** States a restore never leaves. */
export const TERMINAL_STATES: ReadonlySet<RestoreState> = new Set(["completed", "failed", "expired", "cancelled"]);

const NEXT: Record<RestoreState, readonly RestoreState[]> = {
  // cancelled: an operator revoked the token before any CLI claimed it (never once claimed).
  issued: ["claimed", "expired", "cancelled", "failed"],
  claimed: ["downloading", "failed"],
  downloading: ["verifying", "failed"],
  // verifying → completed only for a dry run (verify only); checked below against the entry's data.
  verifying: ["restoring", "completed", "failed"],
  restoring: ["completed", "failed"],
  completed: [],
  failed: [],
  expired: [],
  cancelled: [],
};

/** True if the state machine allows going from one state to the next. */
export function canTransition(from: RestoreState, to: RestoreState): boolean {
  return NEXT[from].includes(to);
}

const STATE_OF_TYPE: Partial<Record<LogEntry["type"], RestoreState>> = {
  "restore.token_issued": "issued",
  "restore.claimed": "claimed",
  "restore.downloading": "downloading",
  "restore.verifying": "verifying",
  "restore.restoring": "restoring",
  "restore.completed": "completed",
  "restore.failed": "failed",
  "restore.expired": "expired",
  "restore.cancelled": "cancelled",
};

/** The restore state an entry records, or undefined if it is not a restore transition. */
export function restoreStateOf(entry: LogEntry): RestoreState | undefined {
  return STATE_OF_TYPE[entry.type];
}

/** Why a restore's history is not valid. */
export type RestoreHistoryErrorCode = "bad-transition" | "mixed-restores" | "dry-run-mismatch";

/**
 * Checks that one restore's transition entries, in log order, follow
 * `issued → claimed → downloading → verifying → restoring → completed | failed` (plus `expired` and
 * `cancelled` from issued only, `failed` from any non-terminal state, and `verifying → completed` for dry
 * runs only).
 * The history may end in a non-terminal state (a restore still running when the window closed); with
 * `partial` it may also begin in any state (a restore issued before an evidence window opened).
 */
export function checkRestoreHistory(
  entries: LogEntry[],
  options: { partial?: boolean } = {},
): Result<RestoreState, RestoreHistoryErrorCode> {
  let state: RestoreState | undefined;
  let restoreId: string | undefined;
  for (const e of entries) {
    const next = restoreStateOf(e);
    if (!next) continue;
    const id = (e.data as { restoreId: string }).restoreId;
    if (restoreId !== undefined && id !== restoreId)
      return err("mixed-restores", `entry ${e.seq} belongs to restore ${id}, not ${restoreId}`);
    restoreId = id;
    if (state === undefined ? next !== "issued" && !options.partial : !canTransition(state, next))
      return err("bad-transition", `entry ${e.seq}: ${state ?? "(start)"} → ${next} is not allowed`);
    if (next === "completed" && e.type === "restore.completed" && e.data.dryRun !== (state === "verifying"))
      return err(
        "dry-run-mismatch",
        `entry ${e.seq}: completed from ${state} must have dryRun=${state === "verifying"}`,
      );
    state = next;
  }
  if (state === undefined) return err("bad-transition", "no restore transitions");
  return ok(state);
}
