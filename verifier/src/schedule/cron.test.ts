import { describe, expect, it } from "vitest";
import { intervalSeconds, nextSlotAfter, nextSlots, parseCron } from "./index.js";

const cron = (expression: string, timezone = "UTC") => {
  const parsed = parseCron(expression, timezone);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
};
const iso = (ms: number[]) => ms.map((t) => new Date(t).toISOString());
const at = (text: string) => Date.parse(text);

describe("parseCron", () => {
  it("reads five fields, names and nicknames", () => {
    for (const e of ["0 * * * *", "*/15 1-5 * * mon-fri", "0 3 1 jan,jul *", "@daily", "0 4 * * 7"])
      expect(parseCron(e, "UTC").ok, e).toBe(true);
  });

  it("refuses what is not five fields, a value out of range, a cron that never runs, a zone it does not know", () => {
    expect(parseCron("0 0 0 * * *", "UTC")).toMatchObject({ ok: false, code: "bad-cron", message: /exactly 5 parts/ });
    expect(parseCron("61 * * * *", "UTC")).toMatchObject({
      ok: false,
      message: 'cron "61 * * * *": Invalid value for minute: 61',
    });
    expect(parseCron("0 0 30 2 *", "UTC")).toMatchObject({ ok: false, message: 'cron "0 0 30 2 *" never runs' });
    expect(parseCron("0 3 * * *", "Mars/Olympus_Mons").ok).toBe(false);
  });
});

describe("nextSlots", () => {
  it("gives the next slots strictly after the instant, each after the one before", () => {
    const hourly = cron("0 * * * *");
    expect(iso(nextSlots(hourly, at("2026-11-24T12:00:30Z"), 3))).toEqual([
      "2026-11-24T13:00:00.000Z",
      "2026-11-24T14:00:00.000Z",
      "2026-11-24T15:00:00.000Z",
    ]);
    // On a slot exactly: the next one, as the tick advances next_run_at.
    expect(nextSlotAfter(hourly, at("2026-11-24T13:00:00Z"))).toBe(at("2026-11-24T14:00:00Z"));
  });

  it("fires at the wall-clock time of the zone, through DST (a time that does not exist moves to the next hour)", () => {
    const berlin = cron("30 2 * * *", "Europe/Berlin");
    // 29 March 2026: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist that day.
    expect(iso(nextSlots(berlin, at("2026-03-27T12:00:00Z"), 3))).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-29T01:00:00.000Z",
      "2026-03-30T00:30:00.000Z",
    ]);
    // 25 October 2026: 02:30 comes twice; the first (CEST) is the slot.
    expect(iso(nextSlots(berlin, at("2026-10-24T12:00:00Z"), 2))).toEqual([
      "2026-10-25T00:30:00.000Z",
      "2026-10-26T01:30:00.000Z",
    ]);
    expect(iso(nextSlots(cron("0 0 * * 0", "Asia/Kolkata"), at("2026-11-24T12:00:00Z"), 2))).toEqual([
      "2026-11-28T18:30:00.000Z",
      "2026-12-05T18:30:00.000Z",
    ]);
  });

  it("gives fewer slots when the cron stops, none for count 0", () => {
    expect(nextSlots(cron("0 * * * *"), 0, 0)).toEqual([]);
    const once = cron("0 0 1 1 *");
    expect(nextSlots(once, at("2026-11-24T00:00:00Z"), 2)).toHaveLength(2);
  });
});

describe("intervalSeconds", () => {
  it("is the longest gap between two slots over the next five weeks", () => {
    const from = at("2026-11-24T12:00:00Z");
    expect(intervalSeconds(cron("0 * * * *"), from)).toBe(3600);
    expect(intervalSeconds(cron("0 */6 * * *"), from)).toBe(6 * 3600);
    expect(intervalSeconds(cron("0 3 * * 0"), from)).toBe(7 * 86_400);
    // A weekday cron's longest gap is its weekend.
    expect(intervalSeconds(cron("0 9 * * 1-5", "America/New_York"), from)).toBe(3 * 86_400);
    // A monthly cron still has one gap, however far.
    expect(intervalSeconds(cron("0 0 1 * *"), from)).toBe(31 * 86_400);
  });

  it("counts the hour DST adds to a day", () => {
    expect(intervalSeconds(cron("0 3 * * *", "Europe/Berlin"), at("2026-10-20T00:00:00Z"))).toBe(25 * 3600);
    expect(intervalSeconds(cron("0 3 * * *", "UTC"), at("2026-10-20T00:00:00Z"))).toBe(24 * 3600);
  });
});
