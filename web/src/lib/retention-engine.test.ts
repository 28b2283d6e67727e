import { retentionDecision } from "@walwarden/verifier";
import { describe, expect, it } from "vitest";
import {
  type Fate,
  formOf,
  previewCounts,
  RULES_PROBLEM,
  type RetentionForm,
  type RetentionState,
} from "./retention.js";
import { checkForm, previewFates } from "./retention-engine.js";

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 6, 21, 30);
/** A backup every 6 hours for 400 days, the newest at NOW: 4 a day, every hour its own. */
const state: RetentionState = {
  databaseId: "db_1",
  policy: null,
  decidedAt: new Date(NOW).toISOString(),
  protectedBackupId: "bk_0100",
  verdicts: Array.from({ length: 1601 }, (_, k) => ({
    backupId: `bk_${String(1600 - k).padStart(4, "0")}`,
    at: new Date(NOW - k * 6 * HOUR).toISOString(),
    keep: true,
    reasons: ["no-policy"],
  })),
  expired: [],
};
const EMPTY = formOf(null);

/** The preview for a form, which must check. */
function fatesOf(form: Partial<RetentionForm>): Fate[] {
  const checked = checkForm({ ...EMPTY, ...form });
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  const fates = previewFates(state, checked.policy);
  if ("problem" in fates) throw new Error(fates.problem);
  return fates;
}
const keptBy = (form: Partial<RetentionForm>) => previewCounts(fatesOf(form)).kept;

describe("the form checked with the API's schema", () => {
  it("gives the policy to send", () => {
    expect(checkForm({ ...EMPTY, daily: "7", weekly: "4" })).toEqual({
      ok: true,
      policy: { daily: 7, weekly: 4, timezone: "UTC" },
    });
  });
  it("refuses a zone it does not know at the zone", () => {
    expect(checkForm({ ...EMPTY, daily: "7", timezone: "Mars/Olympus" })).toEqual({
      ok: false,
      problems: { timezone: "not a known IANA time zone" },
    });
  });
  it("refuses a policy that keeps nothing at the rules", () => {
    const checked = checkForm({ ...EMPTY, daily: "0" });
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.problems).toEqual({ rules: RULES_PROBLEM });
  });
  it("refuses counts out of range and text that is no number at their fields", () => {
    const checked = checkForm({ ...EMPTY, daily: "1001", weekly: "four", minAgeDays: "36501" });
    expect(!checked.ok && Object.keys(checked.problems).sort()).toEqual(["daily", "minAgeDays", "weekly"]);
  });
});

describe("the preview, each field's effect", () => {
  it("keeps only the newest and the protected with one rule that keeps the newest alone", () => {
    const fates = fatesOf({ keepLast: "1" });
    expect(fates.filter((f) => f.keep).map((f) => [f.backupId, f.reasons])).toEqual([
      ["bk_1600", ["newest", "last"]],
      ["bk_0100", ["protected"]],
    ]);
    expect(previewCounts(fates)).toEqual({ kept: 2, expiring: 1599, deleted: 0 });
  });
  it("keep the last N keeps N", () => expect(keptBy({ keepLast: "5" })).toBe(5 + 1));
  it("hourly N keeps the newest of N hours", () => expect(keptBy({ hourly: "3" })).toBe(3 + 1));
  it("daily N keeps one of each of N days", () => {
    const fates = fatesOf({ daily: "3" });
    expect(fates.filter((f) => f.reasons.some((r) => r.startsWith("daily:"))).map((f) => f.reasons.at(-1))).toEqual([
      "daily:2026-12-06",
      "daily:2026-12-05",
      "daily:2026-12-04",
    ]);
    expect(previewCounts(fates).kept).toBe(3 + 1);
  });
  it("weekly N keeps one of each of N ISO weeks", () => expect(keptBy({ weekly: "3" })).toBe(3 + 1));
  it("monthly N keeps one of each of N months", () => expect(keptBy({ monthly: "3" })).toBe(3 + 1));
  it("yearly N keeps one of each year there is (2025 and 2026 here)", () =>
    expect(keptBy({ yearly: "3" })).toBe(2 + 1));
  it("the minimum age keeps everything younger", () => expect(keptBy({ minAgeDays: "2" })).toBe(8 + 1));
  it("raising a count keeps more, the counts of rules add up per backup", () => {
    expect(keptBy({ daily: "7" })).toBe(8);
    expect(keptBy({ daily: "7", weekly: "4" })).toBe(8 + 3);
  });
  it("the time zone moves the calendar the periods are counted in", () => {
    const newest = (timezone: string) => fatesOf({ daily: "1", timezone })[0]!.reasons;
    expect(newest("UTC")).toEqual(["newest", "daily:2026-12-06"]);
    expect(newest("Asia/Tokyo")).toEqual(["newest", "daily:2026-12-07"]);
  });
  it("is the Worker's decision: the same function over the same inputs", () => {
    const policy = { daily: 7, weekly: 4, timezone: "Europe/Berlin" };
    const worker = retentionDecision(
      state.verdicts.map((v) => ({ backupId: v.backupId, at: Date.parse(v.at) })),
      policy,
      NOW,
      new Set(["bk_0100"]),
    );
    if (!worker.ok) throw new Error(worker.message);
    expect(fatesOf({ daily: "7", weekly: "4", timezone: "Europe/Berlin" })).toEqual(
      worker.value.map((v) => ({ ...v, at: new Date(v.at).toISOString() })),
    );
  });
  it("says when this runtime lacks a zone the form let through", () => {
    expect(previewFates(state, { daily: 1, timezone: "Mars/Olympus" })).toEqual({
      problem: "not a known time zone: Mars/Olympus",
    });
  });
});
