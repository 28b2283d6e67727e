import { describe, expect, it } from "vitest";
import { canJobTransition, JOB_STATES, JOB_TERMINAL_STATES, jobStatesInto } from "./job-state.js";

describe("the job state machine", () => {
  it("a successful job goes queued → leased → completing → succeeded", () => {
    for (const [from, to] of [
      ["queued", "leased"],
      ["leased", "completing"],
      ["completing", "succeeded"],
    ] as const)
      expect(canJobTransition(from, to)).toBe(true);
  });

  it("a recorded completion is never undone: completing goes nowhere but succeeded", () => {
    expect(JOB_STATES.filter((to) => canJobTransition("completing", to))).toEqual(["succeeded"]);
    expect(canJobTransition("completing", "queued")).toBe(false);
    expect(canJobTransition("completing", "failed")).toBe(false);
  });

  it("only a leased job is re-queued or failed, and nothing leaves a terminal state", () => {
    expect(jobStatesInto("queued")).toEqual(["leased"]);
    expect(jobStatesInto("failed")).toEqual(["leased"]);
    expect(jobStatesInto("succeeded")).toEqual(["completing"]);
    for (const s of JOB_TERMINAL_STATES) expect(JOB_STATES.filter((to) => canJobTransition(s, to))).toEqual([]);
  });

  it("no state skips a step: queued cannot complete, succeed or fail directly", () => {
    expect(canJobTransition("queued", "completing")).toBe(false);
    expect(canJobTransition("queued", "succeeded")).toBe(false);
    expect(canJobTransition("leased", "succeeded")).toBe(false);
  });
});
