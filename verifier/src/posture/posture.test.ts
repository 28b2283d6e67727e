import { describe, expect, it } from "vitest";
import { EventData } from "../log/event-data.js";
import { type BucketPosture, BucketPostureSchema, postureWorsening } from "./posture.js";

const good: BucketPosture = {
  bucket: "acme-backups",
  versioning: "enabled",
  objectLock: { enabled: true, defaultMode: "COMPLIANCE", defaultDays: 30 },
  publicAccess: "blocked",
  encryption: "aws:kms",
  lifecycle: [],
};

describe("bucket posture", () => {
  it("the same posture, or a better one, is not worse; unknown parts are not a worsening", () => {
    expect(postureWorsening(good, good, 400)).toEqual([]);
    expect(postureWorsening({ ...good, versioning: "suspended" }, good, 400)).toEqual([]);
    expect(
      postureWorsening(
        good,
        {
          ...good,
          versioning: "unknown",
          objectLock: "unknown",
          publicAccess: "unknown",
          encryption: "unknown",
          lifecycle: "unknown",
        },
        400,
      ),
    ).toEqual([]);
  });

  it("each worsening is named: versioning suspended, lock removed or cut, public access, encryption, an early lifecycle rule", () => {
    expect(postureWorsening(good, { ...good, versioning: "suspended" }, null)).toEqual(["versioning suspended"]);
    expect(
      postureWorsening(good, { ...good, objectLock: { enabled: false, defaultMode: null, defaultDays: null } }, null),
    ).toEqual(["Object Lock removed"]);
    expect(
      postureWorsening(
        good,
        { ...good, objectLock: { enabled: true, defaultMode: "COMPLIANCE", defaultDays: 7 } },
        null,
      ),
    ).toEqual(["default retention cut from 30 to 7 days"]);
    expect(postureWorsening(good, { ...good, publicAccess: "open" }, null)).toEqual(["public access allowed"]);
    expect(postureWorsening(good, { ...good, encryption: "none" }, null)).toEqual(["default encryption removed"]);
    const early = { ...good, lifecycle: [{ id: "tidy", days: 30 }] };
    expect(postureWorsening(good, early, 400)).toEqual([
      'lifecycle rule "tidy" deletes objects after 30 days, before the policy does',
    ]);
    // Not before the policy, or no policy bound: no risk; a rule already in the reference is one all the same.
    expect(postureWorsening(good, early, 30)).toEqual([]);
    expect(postureWorsening(good, early, null)).toEqual([]);
    expect(postureWorsening(early, early, 400)).toHaveLength(1);
  });

  it("the schema refuses what is not a posture", () => {
    expect(BucketPostureSchema.safeParse(good).success).toBe(true);
    expect(BucketPostureSchema.safeParse({ ...good, versioning: "maybe" }).success).toBe(false);
    expect(BucketPostureSchema.safeParse({ ...good, extra: 1 }).success).toBe(false);
  });
});

describe("bucket posture's worsening fits its log entry", () => {
  it("names five early lifecycle rules with clipped ids and counts the rest", () => {
    const rules = Array.from({ length: 1000 }, (_, i) => ({ id: `${"r".repeat(300)}${i}`, days: 1 }));
    const out = postureWorsening(good, { ...good, lifecycle: rules }, 30);
    expect(out).toHaveLength(6);
    expect(out[5]).toBe("995 more lifecycle rules delete objects before the policy does");
    const entry = EventData["bucket.posture"].safeParse({
      bucket: good.bucket,
      runnerId: "rn_1",
      posture: good,
      worsening: out,
    });
    expect(entry.success).toBe(true);
    for (const line of out) expect(line.length).toBeLessThanOrEqual(300);
  });

  it("a bucket name is S3's characters, so the subject bucket:<name> is one", () => {
    expect(BucketPostureSchema.safeParse({ ...good, bucket: "Legacy_Bucket.2009" }).success).toBe(true);
    for (const bucket of ["", "a b", "a/b", "ünï", "x".repeat(256)])
      expect(BucketPostureSchema.safeParse({ ...good, bucket }).success).toBe(false);
  });
});
