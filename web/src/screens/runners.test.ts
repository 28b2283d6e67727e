import type { Job, Runner } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import { recentFailuresByRunner, runnerState } from "./runners.js";

const now = Date.parse("2026-11-24T12:00:00Z");
const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
const runner = (over: Partial<Runner>): Runner =>
  ({
    id: "run_1",
    name: "eu-1",
    lastSeenAt: ago(1),
    revokedAt: null,
    version: "0.1.0",
    createdAt: ago(600),
    ...over,
  }) as Runner;
const none = { silentAlert: false, recentFailures: 0 };

describe("runnerState", () => {
  it("says active, never seen, silent after 10 minutes, revoked", () => {
    expect(runnerState(runner({}), none, now).word).toBe("Active");
    expect(runnerState(runner({ lastSeenAt: null }), none, now).word).toBe("Never seen");
    expect(runnerState(runner({ lastSeenAt: ago(11) }), none, now).word).toBe("Silent");
    expect(runnerState(runner({ revokedAt: ago(5) }), { silentAlert: true, recentFailures: 3 }, now).word).toBe(
      "Revoked",
    );
  });
  it("says silent while the Worker's runner.silent alert is open, even for one never seen or just seen", () => {
    expect(runnerState(runner({}), { ...none, silentAlert: true }, now)).toEqual({ word: "Silent", tone: "bad" });
    expect(runnerState(runner({ lastSeenAt: null }), { ...none, silentAlert: true }, now).word).toBe("Silent");
  });
  it("says failing, not active, when its jobs failed lately", () => {
    expect(runnerState(runner({}), { ...none, recentFailures: 2 }, now)).toEqual({ word: "Failing", tone: "bad" });
    // Silence is the worse news: a runner not seen for long is silent whatever it failed before.
    expect(runnerState(runner({ lastSeenAt: ago(30) }), { ...none, recentFailures: 2 }, now).word).toBe("Silent");
  });
});

describe("recentFailuresByRunner", () => {
  const job = (over: Partial<Job>) => ({ status: "failed", runnerId: "run_1", finishedAt: ago(5), ...over }) as Job;
  it("counts failed jobs per runner that finished within the last hour", () => {
    const counts = recentFailuresByRunner(
      [
        job({}),
        job({ finishedAt: ago(59) }),
        job({ finishedAt: ago(61) }),
        job({ runnerId: "run_2" }),
        job({ runnerId: null }),
        job({ status: "queued" }),
      ],
      now,
    );
    expect([...counts]).toEqual([
      ["run_1", 2],
      ["run_2", 1],
    ]);
  });
});
