import { describe, expect, it } from "vitest";
import type { BucketPosture } from "./posture.js";
import { keepDaysOf, nextPostureRecord } from "./record.js";

const good: BucketPosture = {
  bucket: "acme-backups",
  versioning: "enabled",
  objectLock: { enabled: true, defaultMode: "COMPLIANCE", defaultDays: 30 },
  publicAccess: "blocked",
  encryption: "aws:kms",
  lifecycle: [],
};

describe("keepDaysOf", () => {
  it("is the longest policy's lock days; unbounded with a database without a policy or a keepLast-only one", () => {
    expect(keepDaysOf([])).toBeNull();
    expect(
      keepDaysOf([
        { daily: 7, timezone: "UTC" },
        { minAgeDays: 30, timezone: "UTC" },
      ]),
    ).toBe(30);
    expect(keepDaysOf([{ monthly: 12, timezone: "UTC" }])).toBe(372);
    expect(keepDaysOf([{ daily: 7, timezone: "UTC" }, null])).toBe(Number.POSITIVE_INFINITY);
    expect(keepDaysOf([{ keepLast: 5, timezone: "UTC" }])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("nextPostureRecord", () => {
  it("logs the first report, then only a change of posture or of its worsening", () => {
    const first = nextPostureRecord(null, good, 30);
    expect(first).toEqual({ record: { posture: good, reference: good, worsening: [] }, log: true });
    expect(nextPostureRecord(first.record, structuredClone(good), 30).log).toBe(false);
    const better = { ...good, encryption: "AES256" };
    const next = nextPostureRecord(first.record, better, 30);
    expect(next).toEqual({ record: { posture: better, reference: better, worsening: [] }, log: true });
  });

  it("keeps the reference while the bucket is worse, and moves it once it is not", () => {
    const suspended = { ...good, versioning: "suspended" as const };
    const worse = nextPostureRecord({ posture: good, reference: good, worsening: [] }, suspended, 30);
    expect(worse.record).toEqual({ posture: suspended, reference: good, worsening: ["versioning suspended"] });
    expect(worse.log).toBe(true);
    // Worse again in another way: still against the good reference, both listed.
    const open = { ...suspended, publicAccess: "open" as const };
    const worser = nextPostureRecord(worse.record, open, 30);
    expect(worser.record.worsening).toEqual(["versioning suspended", "public access allowed"]);
    expect(worser.record.reference).toEqual(good);
    // Repaired: not worse than the reference, which becomes it.
    const repaired = nextPostureRecord(worser.record, good, 30);
    expect(repaired).toEqual({ record: { posture: good, reference: good, worsening: [] }, log: true });
  });

  it("a lifecycle rule that deletes before the policy does is a risk from the first report", () => {
    const early = { ...good, lifecycle: [{ id: "tidy", days: 7 }] };
    const first = nextPostureRecord(null, early, 30);
    expect(first.record.worsening).toEqual([
      'lifecycle rule "tidy" deletes objects after 7 days, before the policy does',
    ]);
    expect(first.record.reference).toEqual(early);
    expect(nextPostureRecord(null, early, 7).record.worsening).toEqual([]);
  });

  it("compares again when the policy's days change, without the bucket changing", () => {
    const rule = { ...good, lifecycle: [{ id: "tidy", days: 90 }] };
    const under = nextPostureRecord(null, rule, 30);
    expect(under.record.worsening).toEqual([]);
    const longer = nextPostureRecord(under.record, rule, 365);
    expect(longer.log).toBe(true);
    expect(longer.record.worsening).toEqual([
      'lifecycle rule "tidy" deletes objects after 90 days, before the policy does',
    ]);
    expect(nextPostureRecord(longer.record, rule, 365).log).toBe(false);
  });
});
