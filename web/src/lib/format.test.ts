import { afterAll, describe, expect, it } from "vitest";
import {
  ageSeconds,
  formatAge,
  formatBytes,
  formatClock,
  formatDuration,
  formatMinutes,
  formatTime,
  formatTimeParts,
  screenTitle,
  shortHash,
} from "./format.js";

// "Local" in these tests is a zone far from UTC, across a date line and with daylight saving time.
const zoneBefore = process.env.TZ;
process.env.TZ = "Pacific/Auckland";
afterAll(() => {
  if (zoneBefore === undefined) delete process.env.TZ;
  else process.env.TZ = zoneBefore;
});

describe("format", () => {
  it("sizes in binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1024)).toBe("1.0 KiB");
    expect(formatBytes(57_000_000)).toBe("54.4 MiB");
    expect(formatBytes(123_456_789)).toBe("118 MiB");
    expect(formatBytes(5 * 1024 ** 4)).toBe("5.0 TiB");
    expect(formatBytes(null)).toBe("—");
  });
  it("durations and ages in words", () => {
    expect(formatDuration(250)).toBe("250 ms");
    expect(formatDuration(90_000)).toBe("1 min 30 s");
    expect(formatDuration(3_600_000)).toBe("1 h");
    expect(formatDuration(3 * 86_400_000 + 3_600_000)).toBe("3 d 1 h");
    expect(formatDuration(7 * 86_400_000)).toBe("7 d");
    expect(formatAge(3)).toBe("just now");
    expect(formatAge(125)).toBe("2 min 5 s ago");
    expect(formatMinutes(60)).toBe("1 h");
    expect(formatMinutes(null)).toBe("—");
  });
  it("ages from ISO times, never negative", () => {
    const now = Date.parse("2026-11-24T12:00:00Z");
    expect(ageSeconds("2026-11-24T11:59:00Z", now)).toBe(60);
    expect(ageSeconds("2026-11-24T12:01:00Z", now)).toBe(0);
    expect(ageSeconds("not a time", now)).toBeNull();
  });
  it("shortens hashes but not short strings", () => {
    expect(shortHash("a".repeat(64))).toBe(`${"a".repeat(12)}…aaaa`);
    expect(shortHash("abc")).toBe("abc");
  });
  it("times in one style, in the zone asked for or chosen", () => {
    expect(formatTime("2026-12-02T14:05:09.123Z", "utc")).toBe("2 Dec 2026, 14:05 UTC");
    expect(formatTime("2026-09-02T00:05:00Z", "utc")).toBe("2 Sep 2026, 00:05 UTC");
    // Auckland is 13 h ahead in December (daylight saving time), 12 h in September.
    expect(formatTime("2026-12-02T14:05:09Z", "local")).toBe("3 Dec 2026, 03:05");
    expect(formatTime("2026-09-02T00:05:00Z", "local")).toBe("2 Sep 2026, 12:05");
    // Without a zone: the one chosen in the header, local until then.
    expect(formatTime("2026-12-02T14:05:09Z")).toBe("3 Dec 2026, 03:05");
    expect(formatTime(null)).toBe("—");
    // A clock alone (the databases screen's "as of"), in the same zone.
    expect(formatClock("2026-12-02T14:05:09Z", "utc")).toBe("14:05 UTC");
    expect(formatClock("2026-12-02T14:05:09Z", "local")).toBe("03:05");
    expect(formatTime("not a time")).toBe("not a time");
    expect(formatTimeParts(new Date("2026-12-02T23:59:00Z"), "clock", "utc")).toBe("23:59");
    expect(formatTimeParts(new Date("2026-12-31T12:00:00Z"), "month-year", "local")).toBe("Jan 2027");
  });
  it("titles each screen, with ids in the title", () => {
    expect(screenTitle("/databases")).toBe("Databases · Walwarden");
    expect(screenTitle("/databases/db_01")).toBe("Database db_01 · Walwarden");
    expect(screenTitle("/backups/bkp_01abc")).toBe("Backup bkp_01abc · Walwarden");
    expect(screenTitle("/restores/rs_1")).toBe("Restore rs_1 · Walwarden");
    expect(screenTitle("/alerts/channels")).toBe("Alert channels · Walwarden");
    expect(screenTitle("/log")).toBe("Audit log · Walwarden");
    expect(screenTitle("/no/such/screen")).toBe("Not found · Walwarden");
  });
});
