import { describe, expect, it } from "vitest";
import { clip, noticeEmoji, noticeLabel, subjectText } from "./notice-text.js";
import { sampleNotice } from "./sample-notice.js";

describe("notice text", () => {
  it("labels and marks each kind and severity", () => {
    expect([noticeLabel(sampleNotice()), noticeEmoji(sampleNotice())]).toEqual(["CRITICAL", "🔴"]);
    const repeated = sampleNotice({ kind: "repeated", severity: "warning" });
    expect([noticeLabel(repeated), noticeEmoji(repeated)]).toEqual(["WARNING (still open)", "🟠"]);
    expect(noticeEmoji(sampleNotice({ severity: "info" }))).toBe("🔵");
    const resolved = sampleNotice({ kind: "resolved" });
    expect([noticeLabel(resolved), noticeEmoji(resolved)]).toEqual(["RESOLVED", "✅"]);
    expect(noticeLabel(sampleNotice({ kind: "test" }))).toBe("TEST");
  });

  it("names the subject", () => {
    expect(subjectText(sampleNotice())).toBe("shop (database:db_1)");
    expect(subjectText(sampleNotice({ subjectName: null }))).toBe("database:db_1");
  });

  it("clips at a character boundary", () => {
    expect(clip("abc", 3)).toBe("abc");
    expect(clip("abcd", 3)).toBe("ab…");
    expect(clip("a😀b", 3)).toBe("a…");
    expect(clip("a😀bc", 4)).toBe("a😀…");
  });
});
