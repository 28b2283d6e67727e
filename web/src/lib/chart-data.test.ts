import { expect, it } from "vitest";
import type { Backup } from "@walwarden/verifier/wire";
import { chartData } from "./chart-data.js";

it("orders backups oldest first and converts units for the chart", () => {
  const b = (id: string, completedAt: string | null, sizeBytes: number, durationMs: number) =>
    ({ id, completedAt, sizeBytes, durationMs }) as Backup;
  const [t, size, dur] = chartData([
    b("2", "2026-11-24T02:00:00Z", 2 * 1024 * 1024, 30_000),
    b("1", "2026-11-24T01:00:00Z", 1024 * 1024, 1500),
    b("3", null, 1, 1),
  ]);
  expect(t).toEqual([Date.parse("2026-11-24T01:00:00Z") / 1000, Date.parse("2026-11-24T02:00:00Z") / 1000]);
  expect(size).toEqual([1, 2]);
  expect(dur).toEqual([1.5, 30]);
});
