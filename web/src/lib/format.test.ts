import { describe, expect, it } from "vitest";
import { ageSeconds, formatAge, formatBytes, formatDuration, formatMinutes, shortHash } from "./format.js";

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
});
