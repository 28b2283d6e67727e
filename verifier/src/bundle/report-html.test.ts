import { describe, expect, test } from "vitest";
import { buildFixtureLog, ORIGIN } from "../test-support/fixture-log.js";
import type { LogEntry } from "../log/entry.js";
import { renderReportHtml, rpoCompliance } from "./report-html.js";

const f = buildFixtureLog(200, 3);
const input = {
  orgId: "org_acme",
  origin: ORIGIN,
  period: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-02T00:00:00.000Z" },
  window: { start: 0, end: 200, head: 200 },
  entries: f.entries,
};

describe("report.html", () => {
  test("is deterministic and has no scripts or remote resources", () => {
    const html = renderReportHtml(input);
    expect(renderReportHtml(input)).toBe(html);
    expect(html).not.toMatch(/<script|src=|href=/i);
    expect(html).toContain("default-src 'none'");
  });

  test("counts completed backups per database and lists every restore with its outcome", () => {
    const html = renderReportHtml(input);
    for (const db of new Set(
      f.entries.filter((e) => e.type === "backup.completed").map((e) => e.data.databaseId as string),
    )) {
      const n = f.entries.filter((e) => e.type === "backup.completed" && e.data.databaseId === db).length;
      expect(html).toContain(`<tr><td>${db}</td><td>${n}</td>`);
    }
    const failed = f.entries.filter((e) => e.type === "backup.failed").length;
    expect(html).toContain(`${failed} failed backup attempt(s)`);
    const restores = new Set(
      f.entries
        .filter((e) => e.type === "restore.token_issued")
        .map((e) => (e.data as { restoreId: string }).restoreId),
    );
    expect(restores.size).toBeGreaterThan(0);
    for (const id of restores) expect(html).toContain(`<td>${id}</td>`);
  });

  test("escapes names an attacker could choose", () => {
    expect(renderReportHtml({ ...input, orgId: '<img onerror="x">' })).toContain("&#60;img onerror=&#34;x&#34;&#62;");
  });

  test("states RPO compliance over the period: the longest stretch without a backup, period edges included, against each target", () => {
    const at = (h: number) => new Date(Date.UTC(2026, 10, 1, h)).toISOString();
    const completed = (seq: number, h: number, databaseId: string) =>
      ({
        v: 1,
        seq,
        at: at(h),
        type: "backup.completed",
        actor: "runner:rn_1",
        subject: `database:${databaseId}`,
        data: {
          jobId: `job_${seq}`,
          backupId: `bk_${seq}`,
          databaseId,
          runnerId: "rn_1",
          artifact: { uri: "s3://b/k", sha256: "a".repeat(64), sizeBytes: 1 },
          manifestSha256: "b".repeat(64),
        },
      }) as LogEntry;
    // db_a every 6 h from 02:00 (02, 08, 14, 20): 2 h to the first, 6 h between, 4 h to the end of the day.
    // db_b at 01:00 and 13:00 only (12 h between); db_c has a target and no backup; db_d a backup and no target.
    const entries = [
      completed(0, 1, "db_b"),
      completed(1, 2, "db_a"),
      completed(2, 8, "db_a"),
      completed(3, 9, "db_d"),
      completed(4, 13, "db_b"),
      completed(5, 14, "db_a"),
      completed(6, 20, "db_a"),
    ];
    const day = { from: at(0), to: at(24) };
    const rpoTargets = [
      { databaseId: "db_b", targetRpoMinutes: 360 },
      { databaseId: "db_a", targetRpoMinutes: 360 },
      { databaseId: "db_c", targetRpoMinutes: 1440 },
    ];
    expect(rpoCompliance({ period: day, entries, rpoTargets })).toEqual([
      {
        databaseId: "db_a",
        targetRpoMinutes: 360,
        backups: 4,
        longestGapMs: 6 * 3_600_000,
        longestGap: { from: at(2), to: at(8) },
        gapsOverTarget: 0,
        status: "met",
      },
      {
        databaseId: "db_b",
        targetRpoMinutes: 360,
        backups: 2,
        longestGapMs: 12 * 3_600_000,
        longestGap: { from: at(1), to: at(13) },
        gapsOverTarget: 2,
        status: "missed",
      },
      {
        databaseId: "db_c",
        targetRpoMinutes: 1440,
        backups: 0,
        longestGapMs: 24 * 3_600_000,
        longestGap: { from: at(0), to: at(24) },
        gapsOverTarget: 0,
        status: "met",
      },
      {
        databaseId: "db_d",
        targetRpoMinutes: null,
        backups: 1,
        longestGapMs: 15 * 3_600_000,
        longestGap: { from: at(9), to: at(24) },
        gapsOverTarget: 0,
        status: "no-target",
      },
    ]);
    // A day without a backup is over a 23-hour target.
    expect(
      rpoCompliance({ period: day, entries: [], rpoTargets: [{ databaseId: "db_c", targetRpoMinutes: 1380 }] })[0],
    ).toMatchObject({ gapsOverTarget: 1, status: "missed" });
    const html = renderReportHtml({
      orgId: "org_acme",
      origin: ORIGIN,
      period: day,
      window: { start: 0, end: 7, head: 7 },
      entries,
      rpoTargets,
    });
    expect(
      renderReportHtml({
        orgId: "org_acme",
        origin: ORIGIN,
        period: day,
        window: { start: 0, end: 7, head: 7 },
        entries,
        rpoTargets: [...rpoTargets].reverse(),
      }),
    ).toBe(html);
    expect(html).toContain("<h2>RPO compliance over the period</h2>");
    expect(html).toContain(
      `<tr><td>db_a</td><td>360</td><td>4</td><td>360.0</td><td>${at(2)}</td><td>${at(8)}</td><td>0</td><td>met</td></tr>`,
    );
    expect(html).toContain(
      `<tr><td>db_b</td><td>360</td><td>2</td><td>720.0</td><td>${at(1)}</td><td>${at(13)}</td><td>2</td><td>missed</td></tr>`,
    );
    expect(html).toContain(`<tr><td>db_d</td><td>none</td><td>1</td><td>900.0</td>`);
    expect(html).toContain(`--origin ${ORIGIN}`);
  });
});
