import { describe, expect, it } from "vitest";
import { sampleNotice } from "./sample-notice.js";
import { slackBody, slackText } from "./slack-message.js";

interface Block {
  type: string;
  text?: { type: string; text: string };
  fields?: { text: string }[];
  elements?: { type: string; text: string | { text: string }; url?: string }[];
}

/** The parsed body. */
const parse = (body: string) => JSON.parse(body) as { text: string; blocks: Block[] };

describe("slackBody", () => {
  it("has a fallback text, a header with the emoji, the summary, the fields, the detail and the button", () => {
    const { text, blocks } = parse(slackBody(sampleNotice()));
    expect(text).toBe("🔴 CRITICAL: Backups of shop failed: password authentication failed");
    expect(blocks.map((b) => b.type)).toEqual(["header", "section", "section", "section", "actions", "context"]);
    expect(blocks[0]!.text).toEqual({ type: "plain_text", text: "🔴 CRITICAL · backup.failed", emoji: true });
    expect(blocks[1]!.text!.text).toBe("Backups of shop failed: password authentication failed");
    expect(blocks[2]!.fields!.map((f) => f.text)).toEqual([
      "*Condition*\nbackup.failed",
      "*Subject*\nshop (database:db_1)",
      "*Opened*\n<!date^1777629600^{date_short_pretty} at {time}|2026-05-01T10:00:00.000Z>",
      "*Resolved*\nstill open",
    ]);
    expect(blocks[3]!.text!.text).toBe(
      '*Detail*\npg_dump: error: connection to server failed: FATAL: password authentication failed for user "app"',
    );
    expect(blocks[4]!.elements![0]).toMatchObject({
      type: "button",
      text: { text: "Open in dashboard" },
      url: "https://walwarden.example/databases/db_1",
    });
  });

  it("marks resolved, warning, info and test notices", () => {
    const resolved = parse(slackBody(sampleNotice({ kind: "resolved", resolvedAt: "2026-05-01T11:00:00.000Z" })));
    expect(resolved.text).toMatch(/^✅ RESOLVED: /);
    expect(resolved.blocks[2]!.fields![3]!.text).toMatch(/^\*Resolved\*\n<!date\^1777633200\^/);
    expect(parse(slackBody(sampleNotice({ severity: "warning" }))).text).toMatch(/^🟠 WARNING: /);
    expect(parse(slackBody(sampleNotice({ severity: "info", kind: "repeated" }))).text).toMatch(
      /^🔵 INFO \(still open\): /,
    );
    expect(parse(slackBody(sampleNotice({ kind: "test" }))).text).toMatch(/^🧪 TEST: /);
  });

  it("escapes customer text for mrkdwn, so it cannot link or mention", () => {
    const notice = sampleNotice({
      summary: "Backups of <!channel> & <https://evil.example|click> failed",
      subjectName: "a<b>",
      detail: "x > y & <@U123>",
    });
    const body = slackBody(notice);
    const { text, blocks } = parse(body);
    expect(text).toBe("🔴 CRITICAL: Backups of &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; failed");
    expect(blocks[2]!.fields![1]!.text).toBe("*Subject*\na&lt;b&gt; (database:db_1)");
    expect(blocks[3]!.text!.text).toBe("*Detail*\nx &gt; y &amp; &lt;@U123&gt;");
    expect(body).not.toContain("<!channel>");
  });

  it("leaves out the detail and the button when there are none", () => {
    const { blocks } = parse(slackBody(sampleNotice({ detail: null, dashboardUrl: null })));
    expect(blocks.map((b) => b.type)).toEqual(["header", "section", "section", "context"]);
  });

  it("keeps every section within Slack's limits", () => {
    const long = "<&>".repeat(5000);
    const { text, blocks } = parse(slackBody(sampleNotice({ summary: long, detail: long, subjectName: long })));
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(blocks[0]!.text!.text.length).toBeLessThanOrEqual(150);
    expect(blocks[1]!.text!.text.length).toBeLessThanOrEqual(3000);
    expect(blocks[2]!.fields![1]!.text.length).toBeLessThanOrEqual(2000);
    expect(blocks[3]!.text!.text.length).toBeLessThanOrEqual(3000);
    expect(blocks[3]!.text!.text).toMatch(/…$/);
    // A cut never leaves half an entity such as "&am".
    expect(blocks[3]!.text!.text).toMatch(/(&amp;|&lt;|&gt;)…$/);
  });

  it("cuts escaped text without splitting an entity", () => {
    expect(slackText("&&&", 10)).toBe("&amp;…");
    expect(slackText("ab&", 6)).toBe("ab…");
    expect(slackText("a&b", 100)).toBe("a&amp;b");
  });
});
