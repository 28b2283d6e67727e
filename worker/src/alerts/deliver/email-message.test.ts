import { fromBase64 } from "@walwarden/verifier";
import { describe, expect, it } from "vitest";
import { emailMessage, emailSubject, escapeHtml } from "./email-message.js";
import { sampleNotice } from "./sample-notice.js";

const addresses = {
  from: "alerts@mail.walwarden.example",
  to: "ops@acme.example",
  date: new Date("2026-05-01T10:00:06Z"),
};

/** The message's headers (before the first blank line) and each part's decoded body, by content type. */
function parseMail(raw: string): { headers: Map<string, string>; parts: Map<string, string> } {
  const [head, ...rest] = raw.split("\r\n\r\n");
  const headers = new Map<string, string>();
  for (const line of head!.split("\r\n")) {
    const i = line.indexOf(": ");
    headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 2));
  }
  const boundary = /boundary=(\S+)/.exec(headers.get("content-type") ?? "")![1]!;
  const parts = new Map<string, string>();
  for (const part of rest.join("\r\n\r\n").split(`--${boundary}`)) {
    const m =
      /Content-Type: ([^;]+); charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)/.exec(
        part,
      );
    if (m) parts.set(m[1]!, new TextDecoder().decode(fromBase64(m[2]!.replaceAll("\r\n", "").trim())));
  }
  return { headers, parts };
}

/** An RFC 2047 "B" encoded word, decoded. */
const decodeWord = (word: string) => new TextDecoder().decode(fromBase64(/^=\?utf-8\?B\?(.*)\?=$/.exec(word)![1]!));

describe("emailMessage", () => {
  it("is a multipart/alternative RFC 5322 message with CRLF lines and the automatic-mail headers", () => {
    const mail = emailMessage(sampleNotice(), addresses);
    expect(mail.from).toBe("alerts@mail.walwarden.example");
    expect(mail.to).toBe("ops@acme.example");
    expect(mail.raw).not.toMatch(/[^\r]\n/);
    for (const line of mail.raw.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
    const { headers } = parseMail(mail.raw);
    expect(headers.get("from")).toMatch(/<alerts@mail\.walwarden\.example>$/);
    expect(headers.get("to")).toBe("<ops@acme.example>");
    expect(headers.get("date")).toBe("Fri, 01 May 2026 10:00:06 +0000");
    expect(headers.get("message-id")).toBe("<dlv_01J9ZK3Q8W6Y2V4T0R5N7M1P3A@mail.walwarden.example>");
    expect(headers.get("auto-submitted")).toBe("auto-generated");
    expect(headers.get("mime-version")).toBe("1.0");
    expect(headers.get("content-type")).toMatch(/^multipart\/alternative; boundary=/);
    expect(decodeWord(headers.get("subject")!)).toBe(
      "[Walwarden] CRITICAL: Backups of shop failed: password authentication failed",
    );
  });

  it("has a plain-text part and an HTML part with the notice's facts", () => {
    const { parts } = parseMail(emailMessage(sampleNotice(), addresses).raw);
    const text = parts.get("text/plain")!;
    expect(text).toContain("🔴 CRITICAL: Backups of shop failed: password authentication failed");
    expect(text).toContain("Condition: backup.failed");
    expect(text).toContain("Subject:   shop (database:db_1)");
    expect(text).toContain("Resolved:  still open");
    expect(text).toContain('password authentication failed for user "app"');
    expect(text).toContain("Open in dashboard: https://walwarden.example/databases/db_1");
    expect(text).toContain("delivery dlv_01J9ZK3Q8W6Y2V4T0R5N7M1P3A");
    const html = parts.get("text/html")!;
    expect(html).toContain('<a href="https://walwarden.example/databases/db_1">Open in dashboard</a>');
    expect(html).toContain("for user &quot;app&quot;");
  });

  it("subjects resolved, repeated and test notices", () => {
    expect(emailSubject(sampleNotice({ kind: "resolved" }))).toBe(
      "[Walwarden] RESOLVED: Backups of shop failed: password authentication failed",
    );
    expect(emailSubject(sampleNotice({ kind: "repeated", severity: "warning", summary: "x" }))).toBe(
      "[Walwarden] WARNING (still open): x",
    );
    expect(emailSubject(sampleNotice({ kind: "test", summary: "Test\r\nBcc: evil" }))).toBe(
      "[Walwarden] TEST: Test Bcc: evil",
    );
    expect(emailSubject(sampleNotice({ summary: "y".repeat(1000) })).length).toBeLessThan(180);
  });

  it("escapes every piece of notice text in the HTML part", () => {
    const notice = sampleNotice({
      summary: "<script>alert(1)</script>",
      subjectName: '"><img src=x onerror=alert(1)>',
      detail: "a & b < c",
      dashboardUrl: 'https://walwarden.example/?q="><script>',
    });
    const { parts } = parseMail(emailMessage(notice, addresses).raw);
    const html = parts.get("text/html")!;
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; (database:db_1)");
    expect(html).toContain("a &amp; b &lt; c");
    expect(html).toContain('href="https://walwarden.example/?q=&quot;&gt;&lt;script&gt;"');
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });

  it("leaves out detail and link when there are none, and refuses malformed addresses", () => {
    const { parts } = parseMail(emailMessage(sampleNotice({ detail: null, dashboardUrl: null }), addresses).raw);
    expect(parts.get("text/plain")).not.toMatch(/Detail:|Open in dashboard/);
    expect(parts.get("text/html")).not.toMatch(/<a /);
    expect(() =>
      emailMessage(sampleNotice(), { ...addresses, to: "ops@acme.example\r\nBcc: x@evil.example" }),
    ).toThrow();
  });
});
