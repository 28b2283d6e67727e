import { describe, expect, it } from "vitest";
import type { Drill, DrillPolicy, Job, Restorability } from "@walwarden/verifier/wire";
import {
  expectationWords,
  formatRto,
  liveDrillLine,
  failureWords,
  policyLine,
  readReceipt,
  restorabilityReason,
  rtoAgainstTarget,
  tablesMatched,
} from "./drills.js";

const NOW = Date.parse("2026-11-29T12:00:00Z");
const POLICY: DrillPolicy = {
  databaseId: "db_1",
  cron: "0 4 * * 0",
  timezone: "Europe/Berlin",
  backup: { pick: "latest" },
  target: "local",
  maxRtoSeconds: 900,
  assertions: [],
  enabled: true,
  createdAt: "2026-11-01T00:00:00Z",
  updatedAt: "2026-11-01T00:00:00Z",
};
const drill = (over: Partial<Drill> = {}): Drill => ({
  id: "dr_1",
  jobId: "job_1",
  databaseId: "db_1",
  backupId: "bk_1",
  trigger: "manual",
  slotAt: "2026-11-29T09:00:00Z",
  status: "passed",
  attempt: 1,
  runnerId: "rn_1",
  target: "local",
  maxRtoSeconds: 900,
  rtoMs: 6730,
  tables: { matched: 12, total: 12 },
  reason: null,
  receipt: null,
  receiptSha256: null,
  runnerVkey: null,
  createdAt: "2026-11-29T09:00:00Z",
  finishedAt: "2026-11-29T09:00:09Z",
  ...over,
});
const restorability = (over: Partial<Restorability>): Restorability => ({
  databaseId: "db_1",
  status: "proven",
  policy: POLICY,
  intervalSeconds: 7 * 86_400,
  lastPass: drill(),
  lastDrill: drill(),
  nextDrillAt: "2026-12-06T03:00:00Z",
  ...over,
});

describe("drill words", () => {
  it("says why a database is or is not proven restorable", () => {
    expect(restorabilityReason(restorability({}), NOW)).toBe(
      "A restore drill passed 2 h 59 min ago; drills run every 7 d.",
    );
    expect(
      restorabilityReason(
        restorability({ status: "at-risk", lastPass: drill({ finishedAt: "2026-11-10T12:00:00Z" }) }),
        NOW,
      ),
    ).toBe("The last passing drill was 19 d ago: longer ago than two drill intervals (2 × 7 d).");
    expect(restorabilityReason(restorability({ status: "at-risk", lastPass: null }), NOW)).toBe(
      "No drill has passed: every drill so far failed.",
    );
    expect(restorabilityReason(restorability({ status: "never-proven", lastPass: null, lastDrill: null }), NOW)).toBe(
      "A drill policy is set, but no drill has run yet.",
    );
    expect(
      restorabilityReason(
        restorability({ status: "never-proven", lastPass: null, lastDrill: drill({ status: "failed" }) }),
        NOW,
      ),
    ).toBe("No drill has passed yet: the last one failed.");
    expect(restorabilityReason(restorability({ status: "no-policy", policy: null }), NOW)).toMatch(/^No drill policy/);
    expect(
      restorabilityReason(
        restorability({ status: "never-proven", lastDrill: null, policy: { ...POLICY, enabled: false } }),
        NOW,
      ),
    ).toContain("Drills are paused");
  });

  it("puts the RTO against the policy's target", () => {
    expect(formatRto(6730)).toBe("6.7 s");
    expect(formatRto(250_000)).toBe("4 min 10 s");
    expect(formatRto(null)).toBe("—");
    expect(rtoAgainstTarget(6730, 900)).toBe("6.7 s, within the 15 min target");
    expect(rtoAgainstTarget(1_200_000, 900)).toBe("20 min, over the 15 min target");
    expect(rtoAgainstTarget(900_000, 900)).toBe("15 min, within the 15 min target");
    expect(rtoAgainstTarget(6730, null)).toBe("6.7 s (no target set)");
    expect(rtoAgainstTarget(null, 900)).toBe("—");
  });

  it("counts matched tables", () => {
    expect(tablesMatched({ matched: 12, total: 12 })).toBe("12 of 12 tables matched");
    expect(tablesMatched({ matched: 0, total: 1 })).toBe("0 of 1 table matched");
    expect(tablesMatched({ matched: 0, total: 0 })).toBe("no tables to compare");
    expect(tablesMatched(null)).toBe("—");
  });

  it("summarises a policy and an assertion's expectation", () => {
    expect(policyLine(POLICY)).toBe(
      "0 4 * * 0 (Europe/Berlin) · the latest completed backup · local cluster · no SQL assertions · max RTO 15 min",
    );
    const random = {
      ...POLICY,
      backup: { pick: "random", withinDays: 7 } as const,
      maxRtoSeconds: null,
      target: "server" as const,
    };
    expect(policyLine(random)).toContain("a random backup from the last 7 days · scratch database");
    expect(policyLine(random)).toContain("max RTO no target");
    expect(expectationWords({ op: "ge", value: 100 })).toBe("≥ 100");
    expect(expectationWords({ op: "eq", value: true })).toBe("= true");
    expect(expectationWords({ op: "ne", value: "ok" })).toBe('≠ "ok"');
  });

  it("tells the live status of a drill asked for now", () => {
    const job = (over: Partial<Job>) => ({ progress: null, lastError: null, ...over }) as Job;
    expect(liveDrillLine(undefined, undefined)).toBe("Drill queued; a runner will pick it up.");
    expect(liveDrillLine(drill({ status: "queued" }), job({}))).toBe(
      "Drill queued; waiting for a runner that runs drills.",
    );
    expect(
      liveDrillLine(drill({ status: "running" }), job({ progress: { phase: "restoring", bytes: 0, at: null } })),
    ).toBe("Drill running: restoring with pg_restore.");
    expect(liveDrillLine(drill(), undefined)).toBe(
      "Drill passed: 6.7 s, within the 15 min target; 12 of 12 tables matched.",
    );
    expect(liveDrillLine(drill({ status: "failed", reason: "lease expired" }), undefined)).toBe(
      "Drill failed: lease expired",
    );
  });

  it("says where a failed drill stopped, from its receipt, or that it ended without one", () => {
    const statement = { subject: [], predicate: { failure: { phase: "restore", reason: "pg_restore exited with 1" } } };
    const receipt = {
      payload: btoa(JSON.stringify(statement)),
      payloadType: "application/vnd.in-toto+json",
      signatures: [],
    };
    expect(failureWords(drill({ status: "failed", receipt }))).toBe(
      "Failed at restoring (pg_restore): pg_restore exited with 1",
    );
    expect(failureWords(drill({ status: "failed", reason: "the lease expired" }))).toBe(
      "No verdict: the lease expired",
    );
    expect(failureWords(drill())).toBeUndefined();
    expect(readReceipt({ payload: "%%%" })).toBeUndefined();
    expect(readReceipt({ payload: btoa("{}") })).toBeUndefined();
    expect(readReceipt(null)).toBeUndefined();
  });
});
