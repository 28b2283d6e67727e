import { describe, expect, it } from "vitest";
import { backupRetention } from "./lock-retention.js";

describe("backupRetention: new objects are locked as long as the policy may keep them (SPEC §12)", () => {
  const from = new Date("2026-11-24T03:00:00.000Z");
  const day = 86_400_000;
  it("locks for the longer of the configured days and the job's minLockDays; not at all without Object Lock", () => {
    const lock = { mode: "GOVERNANCE", retainDays: 30 } as const;
    expect(backupRetention(lock, 90, from)).toEqual({
      mode: "GOVERNANCE",
      retainUntil: new Date(from.getTime() + 90 * day),
    });
    expect(backupRetention(lock, 7, from)?.retainUntil).toEqual(new Date(from.getTime() + 30 * day));
    expect(backupRetention(lock, null, from)?.retainUntil).toEqual(new Date(from.getTime() + 30 * day));
    expect(backupRetention(undefined, 90, from)).toBeUndefined();
  });
});
