import type { BucketPosture } from "@walwarden/verifier";
import { describe, expect, it } from "vitest";
import {
  atRisk,
  atRiskTitle,
  encryptionPart,
  LISTED_RULES,
  lifecyclePart,
  objectLockPart,
  postureCountWords,
  postureParts,
  publicAccessPart,
  runnerLabel,
  sortPostures,
  UNREAD_WORDS,
  versioningPart,
} from "./posture.js";

const GOOD: BucketPosture = {
  bucket: "acme-backups",
  versioning: "enabled",
  objectLock: { enabled: true, defaultMode: "COMPLIANCE", defaultDays: 30 },
  publicAccess: "blocked",
  encryption: "aws:kms",
  lifecycle: [],
};
const UNREAD: BucketPosture = {
  bucket: "r2-bucket",
  versioning: "unknown",
  objectLock: "unknown",
  publicAccess: "unknown",
  encryption: "unknown",
  lifecycle: "unknown",
};
const words = (p: { lines: string[] }) => p.lines.join("; ");

describe("postureParts", () => {
  it("words a well-protected bucket part by part, in SPEC order", () => {
    expect(postureParts(GOOD).map((p) => [p.label, words(p), p.unread])).toEqual([
      ["Versioning", "enabled", false],
      ["Object Lock", "on, COMPLIANCE default 30 days", false],
      ["Public access", "blocked (all four block settings on)", false],
      ["Default encryption", "aws:kms", false],
      ["Lifecycle", "no rule expires backups", false],
    ]);
  });

  it("words every unknown part as unread, never as a finding", () => {
    const parts = postureParts(UNREAD);
    expect(parts.map((p) => p.unread)).toEqual([true, true, true, true, true]);
    for (const p of parts) expect(p.lines).toEqual([UNREAD_WORDS]);
    expect(UNREAD_WORDS).toBe("could not be read (the store lacks the API or the runner may not read it)");
    expect(UNREAD_WORDS).not.toMatch(/off|open|none|risk|bad/i);
  });
});

describe("each part", () => {
  it("versioning: enabled, suspended, off", () => {
    expect(words(versioningPart("enabled"))).toBe("enabled");
    expect(words(versioningPart("suspended"))).toBe("suspended (enabled once, then stopped)");
    expect(words(versioningPart("off"))).toBe("off (never enabled)");
  });

  it("Object Lock: on with GOVERNANCE or COMPLIANCE and days, on without a default, off", () => {
    expect(words(objectLockPart({ enabled: true, defaultMode: "GOVERNANCE", defaultDays: 1 }))).toBe(
      "on, GOVERNANCE default 1 day",
    );
    expect(words(objectLockPart({ enabled: true, defaultMode: "COMPLIANCE", defaultDays: 365 }))).toBe(
      "on, COMPLIANCE default 365 days",
    );
    expect(words(objectLockPart({ enabled: true, defaultMode: null, defaultDays: null }))).toBe(
      "on, no default retention",
    );
    expect(words(objectLockPart({ enabled: true, defaultMode: "COMPLIANCE", defaultDays: null }))).toBe(
      "on, COMPLIANCE default retention",
    );
    expect(words(objectLockPart({ enabled: true, defaultMode: null, defaultDays: 7 }))).toBe("on, default 7 days");
    expect(words(objectLockPart({ enabled: false, defaultMode: null, defaultDays: null }))).toBe("off");
  });

  it("public access: blocked or open", () => {
    expect(words(publicAccessPart("blocked"))).toBe("blocked (all four block settings on)");
    expect(words(publicAccessPart("open"))).toBe("open (not every block setting is on)");
  });

  it("default encryption: the algorithm as read, or none", () => {
    expect(words(encryptionPart("AES256"))).toBe("AES256");
    expect(words(encryptionPart("aws:kms:dsse"))).toBe("aws:kms:dsse");
    expect(words(encryptionPart("none"))).toBe("none");
    expect(encryptionPart("unknown").unread).toBe(true);
  });

  it("lifecycle: each rule with its days, an unnamed one, and the rest counted past the first few", () => {
    expect(
      lifecyclePart([
        { id: "tidy", days: 90 },
        { id: "", days: 1 },
      ]).lines,
    ).toEqual(['rule "tidy" expires objects after 90 days', "a rule with no id expires objects after 1 day"]);
    const many = Array.from({ length: LISTED_RULES + 3 }, (_, i) => ({ id: `r${i}`, days: i }));
    const lines = lifecyclePart(many).lines;
    expect(lines).toHaveLength(LISTED_RULES + 1);
    expect(lines[0]).toBe('rule "r0" expires objects after 0 days');
    expect(lines.at(-1)).toBe("3 more rules expire objects");
    expect(lifecyclePart(many.slice(0, LISTED_RULES + 1)).lines.at(-1)).toBe("1 more rule expires objects");
  });
});

describe("the bucket list", () => {
  const view = (bucket: string, worsening: string[] = []) => ({ bucket, worsening });

  it("names the runner when the runners list has it, else shows its id", () => {
    const runners = [{ id: "run_1", name: "eu-1" }];
    expect(runnerLabel("run_1", runners)).toBe("eu-1");
    expect(runnerLabel("run_2", runners)).toBe("run_2");
    expect(runnerLabel("run_1", undefined)).toBe("run_1");
  });

  it("puts the buckets at risk first, each group by name", () => {
    const sorted = sortPostures([view("b"), view("z", ["versioning suspended"]), view("a"), view("c", ["x"])]);
    expect(sorted.map((v) => v.bucket)).toEqual(["c", "z", "a", "b"]);
  });

  it("is at risk exactly while the worsening is not empty, in the alert's words", () => {
    expect(atRisk(view("a"))).toBe(false);
    expect(atRisk(view("a", ["public access allowed"]))).toBe(true);
    expect(atRiskTitle("acme-backups")).toBe("Bucket acme-backups is less protected than before");
  });

  it("counts the buckets and those at risk", () => {
    expect(postureCountWords([view("a")])).toBe("1 bucket, none at risk");
    expect(postureCountWords([view("a"), view("b", ["x"])])).toBe("2 buckets, 1 at risk");
  });
});
