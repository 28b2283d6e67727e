import { describe, expect, it } from "vitest";
import { bucketKey, isoWeek } from "./buckets.js";

const at = (iso: string) => Date.parse(iso);

describe("retention buckets", () => {
  it("ISO weeks: Monday first, week 1 holds the first Thursday, the week-year can differ from the year", () => {
    expect(isoWeek(2026, 12, 6)).toEqual({ year: 2026, week: 49 }); // a Sunday
    expect(isoWeek(2026, 12, 7)).toEqual({ year: 2026, week: 50 }); // the Monday after
    expect(isoWeek(2021, 1, 3)).toEqual({ year: 2020, week: 53 });
    expect(isoWeek(2024, 12, 30)).toEqual({ year: 2025, week: 1 });
    expect(isoWeek(2026, 1, 1)).toEqual({ year: 2026, week: 1 }); // a Thursday
  });

  it("keys are local to the zone: 23:30 UTC is the next day in Oslo and the same day in New York", () => {
    const t = at("2026-12-06T23:30:00.000Z");
    expect(bucketKey(t, "hourly", "UTC")).toBe("2026-12-06T23");
    expect(bucketKey(t, "daily", "UTC")).toBe("2026-12-06");
    expect(bucketKey(t, "daily", "Europe/Oslo")).toBe("2026-12-07");
    expect(bucketKey(t, "hourly", "Europe/Oslo")).toBe("2026-12-07T00");
    expect(bucketKey(t, "weekly", "UTC")).toBe("2026-W49");
    expect(bucketKey(t, "weekly", "Europe/Oslo")).toBe("2026-W50");
    expect(bucketKey(t, "daily", "America/New_York")).toBe("2026-12-06");
    expect(bucketKey(at("2026-12-31T23:30:00.000Z"), "yearly", "Asia/Tokyo")).toBe("2027");
    expect(bucketKey(at("2026-12-31T23:30:00.000Z"), "monthly", "UTC")).toBe("2026-12");
  });

  it("the hour repeated when clocks go back is one bucket; midnight is hour 00, never 24", () => {
    // Europe/Oslo leaves summer time on 2026-10-25 at 03:00 local: 02:xx happens twice.
    const first = at("2026-10-25T00:30:00.000Z"); // 02:30 CEST
    const second = at("2026-10-25T01:30:00.000Z"); // 02:30 CET
    expect(bucketKey(first, "hourly", "Europe/Oslo")).toBe("2026-10-25T02");
    expect(bucketKey(second, "hourly", "Europe/Oslo")).toBe("2026-10-25T02");
    expect(bucketKey(at("2026-12-07T00:10:00.000Z"), "hourly", "UTC")).toBe("2026-12-07T00");
  });

  it("an unknown zone throws RangeError (the decision turns it into a value)", () => {
    expect(() => bucketKey(0, "daily", "Mars/Olympus")).toThrow(RangeError);
  });
});
