import { describe, expect, it } from "vitest";
import type { IncidentNotice } from "./incidents.js";
import { channelTakes, repeatDue } from "./notify.js";

const MIN = 60_000;
const open: IncidentNotice = {
  incidentId: "inc_1",
  orgId: "org_1",
  kind: "repeated",
  condition: "backup.missed",
  severity: "critical",
  subject: "database:db_1",
  openedAt: 0,
  lastSeenAt: 0,
};

describe("repeatDue", () => {
  it("is due once per interval boundary passed since the previous tick, never for a channel that does not repeat", () => {
    const at = (prev: number, now: number, every: number | null) =>
      repeatDue({ ...open, lastSeenAt: prev }, every, now);
    expect(at(59 * MIN, 60 * MIN, 60)).toBe(1);
    expect(at(60 * MIN, 61 * MIN, 60)).toBeNull();
    expect(at(119 * MIN, 120 * MIN, 60)).toBe(2);
    expect(at(0, 30 * MIN, 60)).toBeNull();
    expect(at(59 * MIN, 60 * MIN, null)).toBeNull();
    // A tick that skipped minutes (the platform may) still repeats once, numbered by the boundary it is in.
    expect(at(50 * MIN, 185 * MIN, 60)).toBe(3);
  });
});

describe("channelTakes", () => {
  it("takes the conditions it lists (all when none) at or above its least severity", () => {
    expect(channelTakes({ conditions: [], minSeverity: "warning" }, "drill.failed", "warning")).toBe(true);
    expect(channelTakes({ conditions: [], minSeverity: "warning" }, "restore.issued", "info")).toBe(false);
    expect(channelTakes({ conditions: ["runner.silent"], minSeverity: "info" }, "backup.failed", "critical")).toBe(
      false,
    );
    expect(channelTakes({ conditions: ["runner.silent"], minSeverity: "critical" }, "runner.silent", "critical")).toBe(
      true,
    );
  });
});
