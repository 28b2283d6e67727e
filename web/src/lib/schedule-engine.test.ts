import { describe, expect, it } from "vitest";
// The module the Worker schedules with (worker/src/scheduling/cron.ts re-exports it); operations.test.ts also
// holds the preview equal to the running Worker's next_run_at through the API.
import { nextSlotAfter, parseCron } from "@walwarden/verifier/schedule";
import { checkScheduleForm, intervalOf, previewRuns } from "./schedule-engine.js";
import { NEW_SCHEDULE } from "./schedule.js";

const now = Date.parse("2026-11-24T12:00:30Z");
const iso = (ms: number[]) => ms.map((t) => new Date(t).toISOString());

describe("previewRuns", () => {
  it("gives the next five runs in the zone and the interval", () => {
    const p = previewRuns("0 3 * * *", "Europe/Berlin", now);
    expect("runs" in p && iso(p.runs)).toEqual([
      "2026-11-25T02:00:00.000Z",
      "2026-11-26T02:00:00.000Z",
      "2026-11-27T02:00:00.000Z",
      "2026-11-28T02:00:00.000Z",
      "2026-11-29T02:00:00.000Z",
    ]);
    expect("runs" in p && p.intervalSeconds).toBe(86_400);
    expect(previewRuns("61 * * * *", "UTC", now)).toEqual({
      problem: 'cron "61 * * * *": Invalid value for minute: 61',
    });
  });

  it("its first run is the next slot the Worker's cron module computes, for several crons and zones", () => {
    const cases: [string, string][] = [
      ["0 * * * *", "UTC"],
      ["0 */6 * * *", "America/New_York"],
      ["0 3 * * *", "Europe/Berlin"],
      ["0 4 * * 0", "Asia/Kolkata"],
      ["*/15 9-17 * * 1-5", "Australia/Sydney"],
      ["30 2 * * *", "Europe/Berlin"],
    ];
    for (const from of [now, Date.parse("2026-03-28T23:59:00Z"), Date.parse("2026-10-24T22:10:00Z")])
      for (const [cron, zone] of cases) {
        const worker = parseCron(cron, zone);
        if (!worker.ok) throw new Error(worker.message);
        const p = previewRuns(cron, zone, from);
        if (!("runs" in p)) throw new Error(p.problem);
        expect(p.runs[0], `${cron} in ${zone}`).toBe(nextSlotAfter(worker.value, from));
        // Each later run is the Worker's next slot after the one before (as the tick advances next_run_at).
        for (let i = 1; i < p.runs.length; i++) expect(p.runs[i]).toBe(nextSlotAfter(worker.value, p.runs[i - 1]!));
      }
  });

  it("gives a saved schedule's interval, null for a cron that does not parse", () => {
    expect(intervalOf("0 */6 * * *", "UTC", now)).toBe(21_600);
    expect(intervalOf("not a cron", "UTC", now)).toBeNull();
  });
});

describe("checkScheduleForm", () => {
  it("gives the body of a good form, the zone as the schema has it", () => {
    expect(checkScheduleForm({ ...NEW_SCHEDULE, timezone: "Europe/Berlin" }, "db_1")).toEqual({
      ok: true,
      body: { cron: "0 3 * * *", timezone: "Europe/Berlin", targetRpoMinutes: 1560, enabled: true },
    });
  });

  it("says each problem at its field: a cron that does not parse, an unknown zone, a target out of range", () => {
    expect(checkScheduleForm({ ...NEW_SCHEDULE, preset: "custom", cron: "61 * * * *" }, "db_1")).toEqual({
      ok: false,
      problems: { cron: 'cron "61 * * * *": Invalid value for minute: 61' },
    });
    expect(checkScheduleForm({ ...NEW_SCHEDULE, preset: "custom", cron: "0 0 30 2 *" }, "db_1")).toEqual({
      ok: false,
      problems: { cron: 'cron "0 0 30 2 *" never runs' },
    });
    expect(
      checkScheduleForm({ ...NEW_SCHEDULE, timezone: "Europe/Atlantis", rpo: "4", rpoUnit: "minutes" }, "db_1"),
    ).toEqual({
      ok: false,
      problems: { timezone: "not a known IANA time zone", rpo: "a whole number: from 5 minutes to 90 days" },
    });
    // A wrong zone does not hide the cron's own problem.
    expect(
      checkScheduleForm({ ...NEW_SCHEDULE, preset: "custom", cron: "61 * * * *", timezone: "Mars/Base" }, "db_1"),
    ).toEqual({
      ok: false,
      problems: { cron: 'cron "61 * * * *": Invalid value for minute: 61', timezone: "not a known IANA time zone" },
    });
    expect(checkScheduleForm({ ...NEW_SCHEDULE, rpo: "91", rpoUnit: "days" }, "db_1")).toMatchObject({
      ok: false,
      problems: { rpo: "a whole number: from 5 minutes to 90 days" },
    });
    expect(checkScheduleForm({ ...NEW_SCHEDULE, preset: "custom", cron: "0 3" }, "db_1")).toMatchObject({
      ok: false,
      problems: { cron: "a five-field cron: minute hour day-of-month month day-of-week, e.g. 0 3 * * *" },
    });
  });
});
