import { describe, expect, it } from "vitest";
import type { Backup } from "@walwarden/verifier/wire";
import { axisLabels, chartData, timeRange, xRange } from "./chart-data.js";

const b = (id: string, completedAt: string | null, sizeBytes: number, durationMs: number) =>
  ({ id, completedAt, sizeBytes, durationMs }) as Backup;
const s = (iso: string) => Date.parse(iso) / 1000;
const HOUR = 3600;

it("orders backups oldest first and converts units for the chart", () => {
  const [t, size, dur] = chartData([
    b("2", "2026-11-24T02:00:00Z", 2 * 1024 * 1024, 30_000),
    b("1", "2026-11-24T01:00:00Z", 1024 * 1024, 1500),
    b("3", null, 1, 1),
  ]);
  expect(t).toEqual([s("2026-11-24T01:00:00Z"), s("2026-11-24T02:00:00Z")]);
  expect(size).toEqual([1, 2]);
  expect(dur).toEqual([1.5, 30]);
});

describe("the time axis with one backup", () => {
  const at = s("2026-12-02T14:05:00Z");
  // What uPlot asks for with a single time: 1000 days after it (seconds taken for milliseconds).
  const asked = xRange(at, at + 86_400_000, at, at);

  it("spans two hours centred on it, not years", () => {
    expect(asked).toEqual([at - HOUR, at + HOUR]);
    expect(timeRange(at, at)).toEqual([at - HOUR, at + HOUR]);
  });

  it("labels its ticks with clock times and the day under the first, in the zone chosen", () => {
    const ticks = ["13:30", "14:00", "14:30", "15:00"].map((t) => s(`2026-12-02T${t}:00Z`));
    expect(axisLabels(ticks, 1800, "utc")).toEqual(["13:30\n2 Dec 2026", "14:00", "14:30", "15:00"]);
  });

  it("puts the day under the tick where a day changes", () => {
    const ticks = [s("2026-12-31T22:00:00Z"), s("2026-12-31T23:00:00Z"), s("2027-01-01T00:00:00Z")];
    expect(axisLabels(ticks, HOUR, "utc")).toEqual(["22:00\n31 Dec 2026", "23:00", "00:00\n1 Jan 2027"]);
  });
});

describe("the time axis with many backups", () => {
  const times = Array.from({ length: 200 }, (_, i) => s("2026-06-01T03:00:00Z") + i * 86_400);
  const first = times[0]!;
  const last = times.at(-1)!;

  it("spans them with a twentieth of their span either side", () => {
    const span = last - first;
    expect(xRange(first, last, first, last)).toEqual([first - span / 20, last + span / 20]);
    for (const t of times) {
      const [lo, hi] = xRange(first, last, first, last);
      expect(t).toBeGreaterThan(lo);
      expect(t).toBeLessThan(hi);
    }
  });

  it("keeps a range the viewer zoomed to", () => {
    expect(xRange(first + 10 * 86_400, first + 20 * 86_400, first, last)).toEqual([
      first + 10 * 86_400,
      first + 20 * 86_400,
    ]);
  });

  it("labels day ticks as days, with the year under the first and at a new year; months and years beyond", () => {
    const days = [s("2026-12-30T00:00:00Z"), s("2026-12-31T00:00:00Z"), s("2027-01-01T00:00:00Z")];
    expect(axisLabels(days, 86_400, "utc")).toEqual(["30 Dec\n2026", "31 Dec", "1 Jan\n2027"]);
    const months = [s("2026-06-01T00:00:00Z"), s("2026-09-01T00:00:00Z"), s("2026-12-01T00:00:00Z")];
    expect(axisLabels(months, 91 * 86_400, "utc")).toEqual(["Jun 2026", "Sep 2026", "Dec 2026"]);
    expect(axisLabels([s("2026-01-01T00:00:00Z"), s("2027-01-01T00:00:00Z")], 365 * 86_400, "utc")).toEqual([
      "2026",
      "2027",
    ]);
  });

  it("never uses the US style (month first, 12-hour clock)", () => {
    const labels = axisLabels(
      times.filter((_, i) => i % 7 === 0),
      7 * 86_400,
      "utc",
    ).join(" ");
    expect(labels).not.toMatch(/\d+\/\d+|am|pm/i);
  });
});

it("gives an axis of a day when there is nothing to draw", () => {
  expect(xRange(null, null, undefined, undefined)).toEqual(timeRange(null, null));
  const [lo, hi] = timeRange(null, null, 1_000_000);
  expect(hi - lo).toBe(86_400);
});
