import { ALERT_SEVERITIES, type AlertCondition, type AlertSeverity, CONDITION_SEVERITY } from "../alert/conditions.js";
import type { LogEntry } from "../log/entry.js";

/** One incident of the period, as report.html shows it: a condition that held for a subject (SPEC §7). */
export interface IncidentRow {
  incidentId: string;
  /** What it held for, e.g. `database:db_1`, `runner:rnr_1`, `job:job_1` (the entries' data.subject). */
  subject: string;
  condition: AlertCondition;
  /** The alert.opened entry's severity; the condition's (CONDITION_SEVERITY) when only its alert.resolved is in the window. */
  severity: AlertSeverity;
  openedAt: string;
  /** Whether its alert.opened entry is in the window (false: it opened before, and resolved in, the window). */
  openedInWindow: boolean;
  /** When it resolved; null when it was still open at the window's end. */
  resolvedAt: string | null;
  /** resolvedAt − openedAt, or the window's end − openedAt while still open (never negative). */
  durationMs: number;
}

/** One subject's incidents over the period, in the order they opened. */
export interface SubjectAlerts {
  /** The incidents' subject. */
  subject: string;
  incidents: IncidentRow[];
  /** How many of its incidents had each severity (every severity present, zero when none). */
  bySeverity: Record<AlertSeverity, number>;
  /** Its longest incident (the first to open of those that lasted longest). */
  longest: IncidentRow;
}

/** The period's incidents per subject, and over all subjects the counts per severity and the longest one. */
export interface AlertSummary {
  subjects: SubjectAlerts[];
  total: { incidents: number; bySeverity: Record<AlertSeverity, number>; longest: IncidentRow | null };
}

const KIND_ORDER = ["database", "runner"];

/** Database subjects first, then runners, then the others; by subject within each. */
function subjectOrder(a: string, b: string): number {
  const rank = (s: string) => {
    const i = KIND_ORDER.indexOf(s.slice(0, s.indexOf(":")));
    return i === -1 ? KIND_ORDER.length : i;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Incidents by when they opened, then by id. */
function incidentOrder(a: IncidentRow, b: IncidentRow): number {
  const at = Date.parse(a.openedAt) - Date.parse(b.openedAt);
  return at || (a.incidentId < b.incidentId ? -1 : a.incidentId > b.incidentId ? 1 : 0);
}

/** Zero for every severity. */
function noSeverities(): Record<AlertSeverity, number> {
  return Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, 0])) as Record<AlertSeverity, number>;
}

/** The first of the longest incidents of a list already in order. */
function longestOf(list: IncidentRow[]): IncidentRow | null {
  return list.reduce<IncidentRow | null>((m, x) => (m === null || x.durationMs > m.durationMs ? x : m), null);
}

/**
 * The period's incidents per subject, from the window's alert.opened and alert.resolved entries, matched
 * by incidentId: every incident with an entry in the window, whether it opened in the window or before it
 * (an alert.resolved carries its incident's openedAt, condition and subject). An incident that resolved
 * has lasted resolvedAt − openedAt; one that did not was still open at `windowEnd` (the period's end;
 * without it, the latest `at` of the entries) and has lasted until then. An incident that opened before
 * the window and neither resolved nor reopened in it has no entry in the window and is not listed.
 * Subjects: databases first, then runners, then the others, each sorted by subject; incidents by openedAt,
 * then id. Pure and deterministic: the same entries give the same summary whatever else they hold.
 */
export function alertSummary(entries: LogEntry[], windowEnd?: string): AlertSummary {
  const end =
    windowEnd ??
    entries.reduce<string | undefined>(
      (m, e) => (m === undefined || Date.parse(e.at) > Date.parse(m) ? e.at : m),
      undefined,
    );
  const byId = new Map<string, Omit<IncidentRow, "durationMs">>();
  for (const e of entries) {
    if (e.type !== "alert.opened" && e.type !== "alert.resolved") continue;
    const d = e.data;
    const known = byId.get(d.incidentId);
    const base = known ?? {
      incidentId: d.incidentId,
      subject: d.subject,
      condition: d.condition,
      severity: CONDITION_SEVERITY[d.condition],
      openedAt: d.openedAt,
      openedInWindow: false,
      resolvedAt: null,
    };
    const row =
      e.type === "alert.opened"
        ? { ...base, severity: e.data.severity, openedAt: e.data.openedAt, openedInWindow: true }
        : { ...base, resolvedAt: e.data.resolvedAt };
    byId.set(d.incidentId, row);
  }
  const perSubject = new Map<string, IncidentRow[]>();
  for (const row of byId.values()) {
    const until = row.resolvedAt ?? end ?? row.openedAt;
    const durationMs = Math.max(0, Date.parse(until) - Date.parse(row.openedAt));
    const list = perSubject.get(row.subject) ?? [];
    list.push({ ...row, durationMs });
    perSubject.set(row.subject, list);
  }
  const total = { incidents: 0, bySeverity: noSeverities(), longest: null as IncidentRow | null };
  const subjects = [...perSubject]
    .sort(([a], [b]) => subjectOrder(a, b))
    .map(([subject, list]): SubjectAlerts => {
      const incidents = [...list].sort(incidentOrder);
      const bySeverity = noSeverities();
      for (const x of incidents) {
        bySeverity[x.severity]++;
        total.bySeverity[x.severity]++;
      }
      total.incidents += incidents.length;
      const longest = longestOf(incidents)!;
      if (total.longest === null || longest.durationMs > total.longest.durationMs) total.longest = longest;
      return { subject, incidents, bySeverity, longest };
    });
  return { subjects, total };
}

/**
 * An incident's duration for reading: whole days, hours and minutes (`1 d 2 h 5 min`, `3 h 0 min`), or
 * minutes and seconds under an hour (`4 min 12 s`, `0 min 30 s`), rounded down to the unit shown last.
 */
export function formatIncidentDuration(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d} d ${h} h ${m} min`;
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min ${s % 60} s`;
}
