import { describe, expect, test } from "vitest";
import { type LogEntry, validateEntry } from "../log/entry.js";
import { type BucketPosture, postureWorsening } from "../posture/posture.js";
import { describePosturePart, postureSummary } from "./report-posture.js";

const at = (h: number, m = 0) => new Date(Date.UTC(2026, 10, 1, h, m)).toISOString();
const PERIOD = { from: at(0), to: at(24) };
const HOUR = 3_600_000;

/** A bucket every part of which is protected. */
const good = (bucket: string): BucketPosture => ({
  bucket,
  versioning: "enabled",
  objectLock: { enabled: true, defaultMode: "COMPLIANCE", defaultDays: 30 },
  publicAccess: "blocked",
  encryption: "aws:kms",
  lifecycle: [],
});

/** A bucket.posture entry as the Worker logs it (SPEC §12), checked against the log's schema. */
function logged(
  seq: number,
  when: string,
  posture: BucketPosture,
  worsening: string[] = [],
  runnerId = "rnr_1",
): LogEntry {
  const r = validateEntry({
    v: 1,
    seq,
    at: when,
    type: "bucket.posture",
    actor: `runner:${runnerId}`,
    subject: `bucket:${posture.bucket}`,
    data: { bucket: posture.bucket, runnerId, posture, worsening },
  });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe("postureSummary", () => {
  test("no bucket.posture entry: no bucket (other entries are not read)", () => {
    const alert = validateEntry({
      v: 1,
      seq: 0,
      at: at(1),
      type: "alert.opened",
      actor: "system:cron",
      subject: "runner:rnr_1",
      data: {
        incidentId: "inc_1",
        condition: "runner.silent",
        subject: "runner:rnr_1",
        severity: "critical",
        openedAt: at(1),
      },
    });
    if (!alert.ok) throw new Error(alert.message);
    expect(postureSummary([alert.value], PERIOD)).toEqual({ buckets: [] });
    expect(postureSummary([], PERIOD, [alert.value])).toEqual({ buckets: [] });
  });

  test("a bucket that got worse and was repaired in the period: each change, and the exact time at risk", () => {
    const suspended = { ...good("b1"), versioning: "suspended" as const };
    const before = logged(3, "2026-10-30T08:00:00.000Z", good("b1"));
    const worse = logged(10, at(2), suspended, ["versioning suspended"], "rnr_2");
    const repaired = logged(11, at(5, 30), good("b1"));
    const s = postureSummary([worse, repaired], PERIOD, [before]);
    expect(s.buckets).toEqual([
      {
        bucket: "b1",
        start: {
          at: "2026-10-30T08:00:00.000Z",
          seq: 3,
          runnerId: "rnr_1",
          posture: good("b1"),
          worsening: [],
          asOf: "before-period",
        },
        changes: [
          {
            at: at(2),
            seq: 10,
            runnerId: "rnr_2",
            posture: suspended,
            worsening: ["versioning suspended"],
            changed: [{ part: "versioning", from: "enabled", to: "suspended" }],
          },
          {
            at: at(5, 30),
            seq: 11,
            runnerId: "rnr_1",
            posture: good("b1"),
            worsening: [],
            changed: [{ part: "versioning", from: "suspended", to: "enabled" }],
          },
        ],
        end: { at: at(5, 30), seq: 11, runnerId: "rnr_1", posture: good("b1"), worsening: [] },
        atRiskMs: 3.5 * HOUR,
      },
    ]);
  });

  test("the last entry before the window is the start, whatever came before it", () => {
    const older = logged(1, "2026-10-29T00:00:00.000Z", { ...good("b1"), publicAccess: "open" }, [
      "public access allowed",
    ]);
    const last = logged(2, "2026-10-30T00:00:00.000Z", good("b1"));
    // Given out of order: the start is the one with the highest seq, not the last in the list.
    const [b] = postureSummary([], PERIOD, [last, older]).buckets;
    expect(b?.start.seq).toBe(2);
    expect(b?.changes).toEqual([]);
    expect(b?.end.seq).toBe(2);
    expect(b?.atRiskMs).toBe(0);
  });

  test("a bucket still at risk at the end has been at risk until the period's end", () => {
    const open = { ...good("b1"), publicAccess: "open" as const };
    const s = postureSummary(
      [logged(4, at(1), good("b1")), logged(9, at(20), open, ["public access allowed"])],
      PERIOD,
    );
    const [b] = s.buckets;
    expect(b?.start.asOf).toBe("first-in-period");
    expect(b?.start.seq).toBe(4);
    expect(b?.changes.map((c) => [c.seq, c.changed, c.worsening])).toEqual([
      [9, [{ part: "publicAccess", from: "blocked", to: "open" }], ["public access allowed"]],
    ]);
    expect(b?.end.worsening).toEqual(["public access allowed"]);
    expect(b?.atRiskMs).toBe(4 * HOUR);
  });

  test("at risk from before the period: the whole period counts; first logged at risk in it: from that entry on", () => {
    const suspended = { ...good("b1"), versioning: "suspended" as const };
    const fromBefore = postureSummary([], PERIOD, [
      logged(0, "2026-10-20T00:00:00.000Z", suspended, ["versioning suspended"]),
    ]);
    expect(fromBefore.buckets[0]?.atRiskMs).toBe(24 * HOUR);
    // Without an entry before the window, what held before its first entry is not known and not counted.
    const firstInPeriod = postureSummary([logged(5, at(3), suspended, ["versioning suspended"])], PERIOD);
    expect(firstInPeriod.buckets[0]?.start.asOf).toBe("first-in-period");
    expect(firstInPeriod.buckets[0]?.changes).toEqual([]);
    expect(firstInPeriod.buckets[0]?.atRiskMs).toBe(21 * HOUR);
    // Stretches are clamped to the period: an entry past its end adds nothing beyond it.
    const late = postureSummary(
      [logged(5, at(23), suspended, ["versioning suspended"]), logged(6, at(26), good("b1"))],
      PERIOD,
    );
    expect(late.buckets[0]?.atRiskMs).toBe(HOUR);
  });

  test("unknown parts read as unknown, not as worse", () => {
    const unreadable: BucketPosture = {
      bucket: "b1",
      versioning: "unknown",
      objectLock: "unknown",
      publicAccess: "unknown",
      encryption: "unknown",
      lifecycle: "unknown",
    };
    // The Worker's comparator says nothing is worse, so the entry's worsening is empty.
    expect(postureWorsening(good("b1"), unreadable, 30)).toEqual([]);
    const s = postureSummary([logged(1, at(1), good("b1")), logged(2, at(2), unreadable)], PERIOD);
    const [b] = s.buckets;
    expect(b?.changes[0]?.changed).toEqual([
      { part: "versioning", from: "enabled", to: "unknown" },
      { part: "objectLock", from: "enabled, default retention COMPLIANCE for 30 day(s)", to: "unknown" },
      { part: "publicAccess", from: "blocked", to: "unknown" },
      { part: "encryption", from: "aws:kms", to: "unknown" },
      { part: "lifecycle", from: "no rule expires objects", to: "unknown" },
    ]);
    expect(b?.end.worsening).toEqual([]);
    expect(b?.atRiskMs).toBe(0);
  });

  test("a report that changed only the worsening is a change of no part", () => {
    const rule = { ...good("b1"), lifecycle: [{ id: "tmp", days: 7 }] };
    const why = `lifecycle rule "tmp" deletes objects after 7 days, before the policy does`;
    const s = postureSummary([logged(1, at(1), rule), logged(2, at(2), rule, [why])], PERIOD);
    expect(s.buckets[0]?.changes.map((c) => [c.changed, c.worsening])).toEqual([[[], [why]]]);
    expect(s.buckets[0]?.atRiskMs).toBe(22 * HOUR);
  });

  test("two buckets: each its own timeline, sorted by name", () => {
    const off = { ...good("zeta"), encryption: "none" };
    const entries = [
      logged(1, at(1), good("zeta")),
      logged(2, at(2), good("alpha")),
      logged(3, at(6), off, ["default encryption removed"]),
      logged(4, at(8), { ...good("alpha"), lifecycle: [{ id: "x", days: 400 }] }),
      logged(5, at(9), good("zeta")),
    ];
    const s = postureSummary(entries, PERIOD);
    expect(s.buckets.map((b) => [b.bucket, b.start.seq, b.changes.map((c) => c.seq), b.end.seq, b.atRiskMs])).toEqual([
      ["alpha", 2, [4], 4, 0],
      ["zeta", 1, [3, 5], 5, 3 * HOUR],
    ]);
    expect(s.buckets[0]?.changes[0]?.changed).toEqual([
      { part: "lifecycle", from: "no rule expires objects", to: `"x" expires after 400 day(s)` },
    ]);
  });
});

describe("describePosturePart", () => {
  test("says each part in words, Object Lock and lifecycle rules in full", () => {
    const p = (objectLock: BucketPosture["objectLock"], lifecycle: BucketPosture["lifecycle"] = []) => ({
      ...good("b"),
      objectLock,
      lifecycle,
    });
    expect(describePosturePart(p({ enabled: false, defaultMode: null, defaultDays: null }), "objectLock")).toBe("off");
    expect(describePosturePart(p({ enabled: true, defaultMode: null, defaultDays: null }), "objectLock")).toBe(
      "enabled, no default retention",
    );
    expect(describePosturePart(p({ enabled: true, defaultMode: "GOVERNANCE", defaultDays: null }), "objectLock")).toBe(
      "enabled, default retention GOVERNANCE for no days",
    );
    expect(
      describePosturePart(
        p("unknown", [
          { id: "", days: 0 },
          { id: "old", days: 90 },
        ]),
        "lifecycle",
      ),
    ).toBe(`"" expires after 0 day(s); "old" expires after 90 day(s)`);
    expect(describePosturePart(p("unknown"), "objectLock")).toBe("unknown");
    expect(describePosturePart({ ...good("b"), encryption: "none" }, "encryption")).toBe("none");
  });
});
