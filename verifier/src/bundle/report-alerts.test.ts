import { describe, expect, test } from "vitest";
import { type AlertCondition, type AlertSeverity, CONDITION_SEVERITY } from "../alert/conditions.js";
import { type LogEntry, validateEntry } from "../log/entry.js";
import { buildFixtureLog } from "../test-support/fixture-log.js";
import { alertSummary, formatIncidentDuration } from "./report-alerts.js";

const at = (h: number, m = 0) => new Date(Date.UTC(2026, 10, 1, h, m)).toISOString();
const END = at(24);

/** An alert.opened entry as the cron tick writes it (SPEC §7), checked against the log's schema. */
function opened(seq: number, id: string, condition: AlertCondition, subject: string, openedAt: string): LogEntry {
  const severity: AlertSeverity = CONDITION_SEVERITY[condition];
  return valid({
    v: 1,
    seq,
    at: openedAt,
    type: "alert.opened",
    actor: "system:cron",
    subject,
    data: { incidentId: id, condition, subject, severity, openedAt },
  });
}

/** An alert.resolved entry, checked against the log's schema. */
function resolved(
  seq: number,
  id: string,
  condition: AlertCondition,
  subject: string,
  openedAt: string,
  resolvedAt: string,
): LogEntry {
  return valid({
    v: 1,
    seq,
    at: resolvedAt,
    type: "alert.resolved",
    actor: "system:cron",
    subject,
    data: { incidentId: id, condition, subject, openedAt, resolvedAt },
  });
}

function valid(e: LogEntry): LogEntry {
  const r = validateEntry(e);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe("alertSummary", () => {
  test("an incident opened and resolved in the window lasted from one to the other", () => {
    const s = alertSummary(
      [
        opened(0, "inc_1", "backup.failed", "database:db_1", at(2)),
        resolved(1, "inc_1", "backup.failed", "database:db_1", at(2), at(3, 30)),
      ],
      END,
    );
    expect(s.subjects).toEqual([
      {
        subject: "database:db_1",
        incidents: [
          {
            incidentId: "inc_1",
            subject: "database:db_1",
            condition: "backup.failed",
            severity: "critical",
            openedAt: at(2),
            openedInWindow: true,
            resolvedAt: at(3, 30),
            durationMs: 90 * 60_000,
          },
        ],
        bySeverity: { critical: 1, warning: 0, info: 0 },
        longest: s.subjects[0]?.incidents[0],
      },
    ]);
    expect(s.total).toEqual({
      incidents: 1,
      bySeverity: { critical: 1, warning: 0, info: 0 },
      longest: s.subjects[0]?.incidents[0],
    });
  });

  test("an alert.resolved whose alert.opened is before the window counts, from the openedAt in its data", () => {
    const before = "2026-10-31T22:00:00.000Z";
    const s = alertSummary([resolved(7, "inc_9", "drill.overdue", "database:db_1", before, at(1))], END);
    expect(s.subjects[0]?.incidents).toEqual([
      {
        incidentId: "inc_9",
        subject: "database:db_1",
        condition: "drill.overdue",
        severity: "warning",
        openedAt: before,
        openedInWindow: false,
        resolvedAt: at(1),
        durationMs: 3 * 3_600_000,
      },
    ]);
    expect(s.total.bySeverity).toEqual({ critical: 0, warning: 1, info: 0 });
  });

  test("an incident still open at the window's end has lasted until then (or until the last entry, without an end)", () => {
    const entries = [
      opened(0, "inc_1", "runner.silent", "runner:rnr_1", at(20)),
      opened(1, "inc_2", "job.stuck", "job:job_1", at(21)),
      resolved(2, "inc_2", "job.stuck", "job:job_1", at(21), at(22)),
    ];
    const s = alertSummary(entries, END);
    expect(s.subjects.map((x) => [x.subject, x.incidents[0]?.resolvedAt, x.incidents[0]?.durationMs])).toEqual([
      ["runner:rnr_1", null, 4 * 3_600_000],
      ["job:job_1", at(22), 3_600_000],
    ]);
    expect(s.total.longest?.incidentId).toBe("inc_1");
    expect(alertSummary(entries).subjects[0]?.incidents[0]?.durationMs).toBe(2 * 3_600_000);
    // An end before the opening is no negative duration.
    expect(alertSummary(entries, at(19)).subjects[0]?.incidents[0]?.durationMs).toBe(0);
  });

  test("subjects: databases first, then runners, then the others, each sorted; a subject's incidents in the order they opened", () => {
    const entries = [
      opened(0, "inc_1", "job.stuck", "job:job_1", at(1)),
      opened(1, "inc_2", "runner.silent", "runner:rnr_2", at(2)),
      opened(2, "inc_3", "rpo.breached", "database:db_b", at(3)),
      opened(3, "inc_4", "runner.silent", "runner:rnr_1", at(4)),
      opened(4, "inc_5", "backup.missed", "database:db_a", at(5)),
      resolved(5, "inc_5", "backup.missed", "database:db_a", at(5), at(5, 20)),
      opened(6, "inc_6", "drill.failed", "database:db_a", at(6)),
      resolved(7, "inc_6", "drill.failed", "database:db_a", at(6), at(9)),
      resolved(8, "inc_0", "backup.failed", "database:db_a", "2026-10-31T23:00:00.000Z", at(0, 10)),
    ];
    const s = alertSummary(entries, END);
    expect(s.subjects.map((x) => x.subject)).toEqual([
      "database:db_a",
      "database:db_b",
      "runner:rnr_1",
      "runner:rnr_2",
      "job:job_1",
    ]);
    const a = s.subjects[0]!;
    expect(a.incidents.map((x) => [x.incidentId, x.condition, x.durationMs])).toEqual([
      ["inc_0", "backup.failed", 70 * 60_000],
      ["inc_5", "backup.missed", 20 * 60_000],
      ["inc_6", "drill.failed", 3 * 3_600_000],
    ]);
    expect(a.bySeverity).toEqual({ critical: 2, warning: 1, info: 0 });
    expect(a.longest.incidentId).toBe("inc_6");
    expect(s.total.incidents).toBe(7);
    expect(s.total.bySeverity).toEqual({ critical: 5, warning: 2, info: 0 });
    // Longest overall: inc_1, open from 01:00 to the end of the day.
    expect(s.total.longest).toMatchObject({ incidentId: "inc_1", durationMs: 23 * 3_600_000, resolvedAt: null });
    // The order of the entries, and entries of other types, change nothing.
    const others = buildFixtureLog(40, 2).entries;
    expect(alertSummary([...others, ...[...entries].reverse()], END)).toEqual(s);
  });

  test("a subject with two incidents of the same condition lists both; duplicate opened entries are one incident", () => {
    const s = alertSummary(
      [
        opened(0, "inc_1", "backup.failed", "database:db_1", at(1)),
        opened(1, "inc_1", "backup.failed", "database:db_1", at(1)),
        resolved(2, "inc_1", "backup.failed", "database:db_1", at(1), at(2)),
        opened(3, "inc_2", "backup.failed", "database:db_1", at(10)),
        resolved(4, "inc_2", "backup.failed", "database:db_1", at(10), at(10, 45)),
      ],
      END,
    );
    expect(s.subjects).toHaveLength(1);
    expect(s.subjects[0]?.incidents.map((x) => [x.incidentId, x.durationMs])).toEqual([
      ["inc_1", 3_600_000],
      ["inc_2", 45 * 60_000],
    ]);
    expect(s.subjects[0]?.bySeverity.critical).toBe(2);
    expect(s.subjects[0]?.longest.incidentId).toBe("inc_1");
  });

  test("no alert entries: no subject, no longest", () => {
    expect(alertSummary(buildFixtureLog(30, 1).entries, END)).toEqual({
      subjects: [],
      total: { incidents: 0, bySeverity: { critical: 0, warning: 0, info: 0 }, longest: null },
    });
    expect(alertSummary([])).toEqual(alertSummary([], END));
  });

  test("durations read as days, hours and minutes, or minutes and seconds", () => {
    expect(formatIncidentDuration(0)).toBe("0 min 0 s");
    expect(formatIncidentDuration(30_999)).toBe("0 min 30 s");
    expect(formatIncidentDuration(4 * 60_000 + 12_000)).toBe("4 min 12 s");
    expect(formatIncidentDuration(3 * 3_600_000)).toBe("3 h 0 min");
    expect(formatIncidentDuration(26 * 3_600_000 + 5 * 60_000 + 59_000)).toBe("1 d 2 h 5 min");
    expect(formatIncidentDuration(-5)).toBe("0 min 0 s");
  });
});
