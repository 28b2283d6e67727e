import { describe, expect, it } from "vitest";
import { clipText } from "./clip.js";

describe("clipText", () => {
  it("keeps short texts, and cuts long ones to the limit at their start or end", () => {
    expect(clipText("short", 10)).toBe("short");
    expect(clipText(`${"x".repeat(5000)}end`, 100, "end")).toHaveLength(100);
    expect(clipText(`${"x".repeat(5000)}end`, 100, "end").endsWith("end")).toBe(true);
    expect(clipText(`start${"x".repeat(5000)}`, 100)).toMatch(/^startx+…$/);
    expect(clipText(`start${"x".repeat(5000)}`, 100)).toHaveLength(100);
  });

  it("never leaves half of a surrogate pair", () => {
    const emoji = "😀".repeat(10); // 20 UTF-16 units
    for (let max = 1; max < 20; max++)
      for (const keep of ["start", "end"] as const) {
        const out = clipText(emoji, max, keep);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out.replace(/\uD83D\uDE00/g, "")).toMatch(/^…?$/);
      }
  });
});
