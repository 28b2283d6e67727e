import { describe, expect, it } from "vitest";
import { canTransition, RESTORE_STATES, TERMINAL_STATES, type RestoreState } from "@walwarden/verifier";
import type { ProgressEvent, TransitionEvent } from "@walwarden/verifier/wire";
import { restoreSteps, STEP_KEYS, TERMINAL, type Step, type StepInput } from "./restore-steps.js";

// The stepper against every state of the verifier's restore state machine (verifier/src/log/restore-state.ts):
// each history is a path the machine allows, so a state added there and not handled here fails.

const DATA: Partial<Record<RestoreState, Record<string, unknown>>> = {
  claimed: { clientVersion: "0.1.0" },
  verifying: { sha256: "ab".repeat(32) },
  completed: { dryRun: false },
  failed: { stage: "download", reason: "connection reset" },
};

/** A logged history through `states`, each step checked against the machine. */
function history(states: RestoreState[], data: Partial<Record<RestoreState, Record<string, unknown>>> = {}) {
  return states.map((state, i): TransitionEvent => {
    if (i > 0) expect(canTransition(states[i - 1]!, state), `${states[i - 1]} → ${state}`).toBe(true);
    return {
      restoreId: "rs_1",
      n: i + 1,
      state,
      at: "2026-11-24T00:00:00.000Z",
      seq: 10 + i,
      data: { restoreId: "rs_1", backupId: "bk_1", ...DATA[state], ...data[state] },
    };
  });
}

/** The shortest path the machine allows from issued to `target`. */
function pathTo(target: RestoreState): RestoreState[] {
  const queue: RestoreState[][] = [["issued"]];
  while (queue.length) {
    const path = queue.shift()!;
    const last = path.at(-1)!;
    if (last === target) return path;
    for (const next of RESTORE_STATES)
      if (canTransition(last, next) && !path.includes(next)) queue.push([...path, next]);
  }
  throw new Error(`no path to ${target}`);
}

/** The long way to `target` (through every step of the happy path before it). */
const HAPPY: RestoreState[] = ["issued", "claimed", "downloading", "verifying", "restoring", "completed"];

const statuses = (steps: Step[]) => Object.fromEntries(steps.map((s) => [s.key, s.status]));
const steps = (states: RestoreState[], extra: Partial<StepInput> = {}) =>
  restoreSteps({ state: states.at(-1)!, transitions: history(states), ...extra });

const progress = (phase: ProgressEvent["phase"], bytes: number, totalBytes: number | null): ProgressEvent => ({
  restoreId: "rs_1",
  at: "2026-11-24T00:00:01.000Z",
  phase,
  bytes,
  totalBytes,
  bytesPerSecond: 0,
});

describe("the restore stepper", () => {
  it("knows the terminal states the verifier knows", () => {
    expect([...TERMINAL].sort()).toEqual([...TERMINAL_STATES].sort());
  });

  it("has a rendering for every state of the verifier's state machine, reached the way the machine allows", () => {
    for (const state of RESTORE_STATES) {
      const s = steps(pathTo(state));
      expect(s.map((x) => x.key)).toEqual([...STEP_KEYS]);
      // Exactly one step says where the restore is, unless it completed.
      const where = s.filter((x) => x.status !== "done" && x.status !== "todo" && x.status !== "skipped");
      expect(where.length, state).toBe(state === "completed" ? 0 : 1);
    }
  });

  it("marks the step of the current state in progress, never done: downloading at 3.0 of 7.3 MiB is not ✔", () => {
    const s = steps(HAPPY.slice(0, 3), { progress: progress("downloading", 3_145_728, 7_654_604) });
    expect(statuses(s)).toEqual({
      issued: "done",
      claimed: "done",
      downloading: "current",
      verifying: "todo",
      restoring: "todo",
      completed: "todo",
    });
    const d = s.find((x) => x.key === "downloading")!;
    expect(d.detail).toBe("3.0 MiB of 7.3 MiB");
    expect(d.bytes).toEqual({ done: 3_145_728, total: 7_654_604 });
    expect(s.find((x) => x.key === "claimed")!.detail).toBe("by CLI 0.1.0");
  });

  it("each live state in turn: the ones before done, it in progress, the rest not reached", () => {
    for (let i = 0; i < 5; i++) {
      const s = steps(HAPPY.slice(0, i + 1));
      expect(
        s.map((x) => x.status),
        HAPPY[i],
      ).toEqual(STEP_KEYS.map((_, j) => (j < i ? "done" : j === i ? "current" : "todo")));
      expect(s[i]!.detail, HAPPY[i]).toBeTruthy();
      expect(s[i]!.bytes).toBeNull();
    }
    expect(steps(["issued"])[0]).toMatchObject({ words: "waiting", detail: "waiting for the CLI to claim the token" });
    expect(steps(["issued", "claimed"]).map((x) => x.words)).toEqual([
      "done",
      "in progress",
      "not reached",
      "not reached",
      "not reached",
      "not reached",
    ]);
    expect(steps(["issued", "claimed"])[1]!.detail).toBe(
      "CLI 0.1.0 is checking the backup's signed manifest and log entry",
    );
  });

  it("uses progress only for the phase it is about, and says so-far without a total", () => {
    const stale = steps(HAPPY.slice(0, 4), { progress: progress("downloading", 10, 10) });
    expect(stale.find((x) => x.key === "verifying")!.bytes).toBeNull();
    const restoring = steps(HAPPY.slice(0, 5), {
      progress: {
        ...progress("restoring", 5 * 1024 * 1024, null),
        bytesPerSecond: 1024 * 1024,
        detail: "TABLE DATA public orders",
      },
    });
    const r = restoring.find((x) => x.key === "restoring")!;
    expect(r.detail).toBe("5.0 MiB so far, 1.0 MiB/s — TABLE DATA public orders");
    expect(r.bytes).toEqual({ done: 5 * 1024 * 1024, total: null });
  });

  it("a completed restore: every step done; a dry run's restore step skipped", () => {
    const full = steps(HAPPY);
    expect(full.every((x) => x.status === "done")).toBe(true);
    expect(full.at(-1)!.detail).toBe("restored into the target");
    const dry = restoreSteps({
      state: "completed",
      transitions: history(["issued", "claimed", "downloading", "verifying", "completed"], {
        completed: { dryRun: true },
      }),
    });
    expect(statuses(dry)).toMatchObject({ verifying: "done", restoring: "skipped", completed: "done" });
    expect(dry.at(-1)!.detail).toBe("dry run: verified, nothing restored");
  });

  it("a failure marks the step that was in progress failed, with the stage and reason, from every live state", () => {
    for (let i = 0; i < 5; i++) {
      const states: RestoreState[] = [...HAPPY.slice(0, i + 1), "failed"];
      const s = restoreSteps({
        state: "failed",
        transitions: history(states, { failed: { stage: "interrupted", reason: "SIGINT" } }),
      });
      expect(
        s.map((x) => x.status),
        states.join(" → "),
      ).toEqual(STEP_KEYS.map((_, j) => (j < i ? "done" : j === i ? "failed" : "todo")));
      expect(s[i]!.detail).toBe("interrupted: SIGINT");
    }
  });

  it("a failure's stage names a later step than the one in progress: that step failed (a download that fails its check)", () => {
    const s = restoreSteps({
      state: "failed",
      transitions: history(["issued", "claimed", "downloading", "failed"], {
        failed: { stage: "verify", reason: "SHA-256 differs" },
      }),
    });
    expect(statuses(s)).toMatchObject({ downloading: "done", verifying: "failed", restoring: "todo" });
    // An earlier stage never moves the failure back: the step in progress failed.
    const late = steps([...HAPPY.slice(0, 5), "failed"]);
    expect(statuses(late)).toMatchObject({ verifying: "done", restoring: "failed" });
    expect(late[4]!.detail).toBe("download: connection reset");
  });

  it("a failure known only from the restore (no history yet) is placed by its stage", () => {
    const s = restoreSteps({
      state: "failed",
      transitions: [],
      failure: { stage: "verify", reason: "SHA-256 differs" },
    });
    expect(statuses(s)).toMatchObject({ downloading: "done", verifying: "failed", restoring: "todo" });
    expect(s.find((x) => x.key === "verifying")!.detail).toBe("verify: SHA-256 differs");
    const abandoned = restoreSteps({
      state: "failed",
      transitions: [],
      failure: { stage: "abandoned", reason: "silent" },
    });
    expect(abandoned[0]!.status).toBe("failed");
  });

  it("an expired or cancelled token stops the first step, and nothing after it is reached", () => {
    for (const [state, words] of [
      ["expired", "no CLI claimed the token before it expired"],
      ["cancelled", "cancelled before any CLI claimed it"],
    ] as const) {
      const s = steps(["issued", state]);
      expect(s[0]).toMatchObject({ status: "stopped", detail: words });
      expect(s.slice(1).every((x) => x.status === "todo")).toBe(true);
    }
  });

  it("takes transitions in any order and from the restore as loaded when the stream has not caught up", () => {
    const shuffled = history(HAPPY.slice(0, 4)).reverse();
    expect(statuses(restoreSteps({ state: "verifying", transitions: shuffled }))).toMatchObject({
      downloading: "done",
      verifying: "current",
    });
    expect(statuses(restoreSteps({ state: "restoring", transitions: [] }))).toMatchObject({
      verifying: "done",
      restoring: "current",
    });
  });
});
