import { describe, expect, test } from "vitest";
import { buildFixtureLog, ORIGIN } from "../test-support/fixture-log.js";
import { renderReportHtml } from "./report-html.js";

const f = buildFixtureLog(200, 3);
const input = { orgId: "org_acme", origin: ORIGIN, period: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-02T00:00:00.000Z" }, window: { start: 0, end: 200, head: 200 }, entries: f.entries };

describe("report.html", () => {
  test("is deterministic and has no scripts or remote resources", () => {
    const html = renderReportHtml(input);
    expect(renderReportHtml(input)).toBe(html);
    expect(html).not.toMatch(/<script|src=|href=/i);
    expect(html).toContain("default-src 'none'");
  });

  test("counts completed backups per database and lists every restore with its outcome", () => {
    const html = renderReportHtml(input);
    for (const db of new Set(f.entries.filter((e) => e.type === "backup.completed").map((e) => e.data.databaseId as string))) {
      const n = f.entries.filter((e) => e.type === "backup.completed" && e.data.databaseId === db).length;
      expect(html).toContain(`<tr><td>${db}</td><td>${n}</td>`);
    }
    const failed = f.entries.filter((e) => e.type === "backup.failed").length;
    expect(html).toContain(`${failed} failed backup attempt(s)`);
    const restores = new Set(f.entries.filter((e) => e.type === "restore.token_issued").map((e) => (e.data as { restoreId: string }).restoreId));
    expect(restores.size).toBeGreaterThan(0);
    for (const id of restores) expect(html).toContain(`<td>${id}</td>`);
  });

  test("escapes names an attacker could choose", () => {
    expect(renderReportHtml({ ...input, orgId: '<img onerror="x">' })).toContain("&#60;img onerror=&#34;x&#34;&#62;");
  });
});
