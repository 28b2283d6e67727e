import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { restoreStateOf } from "../log/restore-state.js";
import { cosignatureTimestamp } from "../note/cosignature.js";
import { parseSignedNote } from "../note/note-format.js";
import { formatSeconds } from "../drill/findings.js";
import { type AdminChange, adminChanges } from "./admin-changes.js";
import { alertSummary, formatIncidentDuration, type IncidentRow } from "./report-alerts.js";
import { drillSummary } from "./report-drills.js";
import { type BucketPostureRow, describePosturePart, POSTURE_PARTS, postureSummary } from "./report-posture.js";
import { describePolicy } from "../retention/policy.js";
import { recomputeExpiries } from "../retention/recompute.js";

/** What the human-readable report covers. */
export interface ReportInput {
  orgId: string;
  origin: string;
  period: { from: string; to: string };
  window: { start: number; end: number; head: number };
  entries: LogEntry[];
  /**
   * Recovery point objectives to judge the period against, per database, in minutes. They are not in the
   * log: the Worker takes them from the database's schedules when it exports.
   */
  rpoTargets?: { databaseId: string; targetRpoMinutes: number }[];
  /**
   * The receipts of the window's drill entries, their exact JCS bytes (BundleInput's drillReceipts): the
   * drills' failure phases, the RTO of failed drills and the RTO targets come from them.
   */
  drillReceipts?: Uint8Array[];
  /**
   * The last bucket.posture entry of each bucket before the window, when the exporter has them: the posture
   * in force at the period's start. The bundle's entries begin at the window's start, so without one a
   * bucket's posture is shown as first logged in the period.
   */
  postureBefore?: LogEntry[];
  /**
   * The head checkpoint the bundle is proven against (signed note text), when the exporter passes it: its
   * witness cosignatures are named under "Witnesses" (SPEC §13).
   */
  headCheckpoint?: string;
}

/** The head checkpoint's cosignature lines (type 0x04 and 8 + 64 bytes), named, as a table; unchecked here. */
function witnessTable(note: string | undefined): string {
  const parsed = note === undefined ? undefined : parseSignedNote(note);
  const lines = parsed?.ok
    ? parsed.value.signatures.flatMap((s) => {
        const t = cosignatureTimestamp(s);
        // A time past what a Date holds (8.64e12 s) is shown as the number it is, not thrown on.
        if (t === undefined) return [];
        return [[s.name, t <= 8_640_000_000_000n ? new Date(Number(t) * 1000).toISOString() : `${t} s`]];
      })
    : [];
  const none =
    note === undefined
      ? "not given by the exporter"
      : parsed?.ok
        ? "none: the head checkpoint carries no cosignature"
        : "none readable: the head checkpoint is not a signed note";
  const body =
    lines.length === 0
      ? `<tr><td colspan="2">${none}</td></tr>`
      : lines.map(([name, at]) => `<tr><td>${esc(name!)}</td><td>${esc(at!)}</td></tr>`).join("\n");
  return `<table><tr><th>witness key name</th><th>cosigned at</th></tr>\n${body}\n</table>`;
}

/** One database's RPO compliance over the period. */
export interface RpoCompliance {
  databaseId: string;
  targetRpoMinutes: number | null;
  backups: number;
  /** The longest stretch without a completed backup, period edges included, and where it lies. */
  longestGapMs: number;
  longestGap: { from: string; to: string };
  /** Stretches longer than the target (0 without a target). */
  gapsOverTarget: number;
  status: "met" | "missed" | "no-target";
}

/**
 * RPO compliance per database over [period.from, period.to): the completion times of its backups in the
 * window split the period into stretches (from the period's start to the first backup, between backups, from
 * the last one to the period's end); the target is met if no stretch is longer than it. A database with a
 * target and no backup in the period has one stretch, the whole period. Sorted by database id.
 */
export function rpoCompliance(input: Pick<ReportInput, "period" | "entries" | "rpoTargets">): RpoCompliance[] {
  const times = new Map<string, string[]>();
  for (const t of input.rpoTargets ?? []) times.set(t.databaseId, []);
  for (const e of input.entries) {
    if (e.type !== "backup.completed") continue;
    const at = times.get(e.data.databaseId) ?? [];
    at.push(e.at);
    times.set(e.data.databaseId, at);
  }
  const targets = new Map((input.rpoTargets ?? []).map((t) => [t.databaseId, t.targetRpoMinutes]));
  return [...times]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([databaseId, at]) => {
      const edges = [input.period.from, ...at, input.period.to];
      const target = targets.get(databaseId) ?? null;
      let longest = { ms: -1, from: input.period.from, to: input.period.to };
      let over = 0;
      for (let i = 0; i + 1 < edges.length; i++) {
        const ms = Math.max(0, Date.parse(edges[i + 1]!) - Date.parse(edges[i]!));
        if (ms > longest.ms) longest = { ms, from: edges[i]!, to: edges[i + 1]! };
        if (target !== null && ms > target * 60_000) over++;
      }
      const status = target === null ? "no-target" : over === 0 ? "met" : "missed";
      return {
        databaseId,
        targetRpoMinutes: target,
        backups: at.length,
        longestGapMs: longest.ms,
        longestGap: { from: longest.from, to: longest.to },
        gapsOverTarget: over,
        status,
      };
    });
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A deterministic `report.html` for auditors: backups per database, RPO compliance over the period,
 * failures, restores with their outcome and duration, restore drills per database (with their RTO against
 * its target) and the failed ones, the period's alert incidents per subject (report-alerts.ts), retention,
 * each bucket's posture and time at risk (report-posture.ts), admin changes, and how to verify the bundle.
 * Same input, same bytes; no scripts, no network.
 */
export function renderReportHtml(input: ReportInput): string {
  const completed = input.entries.filter((e): e is LogEntryOf<"backup.completed"> => e.type === "backup.completed");
  const failed = input.entries.filter((e): e is LogEntryOf<"backup.failed"> => e.type === "backup.failed");
  const perDb = new Map<string, { count: number; bytes: number; last: string }>();
  for (const e of completed) {
    const row = perDb.get(e.data.databaseId) ?? { count: 0, bytes: 0, last: "" };
    perDb.set(e.data.databaseId, {
      count: row.count + 1,
      bytes: row.bytes + e.data.artifact.sizeBytes,
      last: e.at > row.last ? e.at : row.last,
    });
  }
  const restores = new Map<string, { backupId: string; first: string; last: string; state: string }>();
  for (const e of input.entries) {
    const state = restoreStateOf(e);
    if (!state) continue;
    const d = e.data as { restoreId: string; backupId: string };
    const r = restores.get(d.restoreId) ?? { backupId: d.backupId, first: e.at, last: e.at, state };
    restores.set(d.restoreId, { ...r, last: e.at, state });
  }
  const minutes = (ms: number) => (ms / 60_000).toFixed(1);
  const rpo = rpoCompliance(input);
  const changes = adminChanges(input.entries);
  const drills = drillSummary(input.entries, input.drillReceipts);
  const alerts = alertSummary(input.entries, input.period.to);
  const incidents = alerts.subjects.flatMap((s) => s.incidents);
  const lasted = (x: IncidentRow) =>
    `${formatIncidentDuration(x.durationMs)}${x.resolvedAt === null ? " (still open)" : ""}`;
  const severities = (n: Record<string, number>) => `${n.critical} critical, ${n.warning} warning, ${n.info} info`;
  const secs = (ms: number | undefined) => (ms === undefined ? "none" : formatSeconds(ms));
  const changeRows = (list: AdminChange[]) =>
    list.length === 0
      ? `<tr><td colspan="5">none in the period</td></tr>`
      : rows(list.map((x) => [x.at, x.actor, x.type, x.subject, x.detail]));
  const expiries = input.entries.filter((e): e is LogEntryOf<"backup.expired"> => e.type === "backup.expired");
  const recomputed = new Map(recomputeExpiries(input.entries).map((r) => [r.seq, r]));
  const recomputedWords = (seq: number) => {
    const r = recomputed.get(seq);
    return r?.status === "agrees"
      ? "yes: the policy expires it"
      : r?.status === "disagrees"
        ? `NO: ${r.reasons.join("; ")}`
        : `not from this period (${r?.why ?? "no input"})`;
  };
  const blocked = input.entries.filter(
    (e): e is LogEntryOf<"backup.expiry_blocked"> => e.type === "backup.expiry_blocked",
  );
  const rows = (cells: string[][]) =>
    cells.map((c) => `<tr>${c.map((x) => `<td>${esc(x)}</td>`).join("")}</tr>`).join("\n");
  const posture = postureSummary(input.entries, input.period, input.postureBefore);
  const partNames = {
    versioning: "versioning",
    objectLock: "Object Lock",
    publicAccess: "public access",
    encryption: "default encryption",
    lifecycle: "lifecycle rules",
  } as const;
  const worse = (list: string[]) => (list.length === 0 ? "nothing" : list.join("; "));
  const startWords = (b: BucketPostureRow) =>
    `${b.start.asOf === "before-period" ? "as last logged before the period" : "as first logged in the period"}, ${b.start.at} (runner ${b.start.runnerId})`;
  const atRiskCell = (b: BucketPostureRow) =>
    b.atRiskMs === 0 && b.end.worsening.length === 0
      ? "never"
      : `${formatIncidentDuration(b.atRiskMs)}${b.end.worsening.length > 0 ? " (still at the end)" : ""}`;
  const atRiskLine = (b: BucketPostureRow) =>
    b.end.worsening.length > 0
      ? `At risk for ${formatIncidentDuration(b.atRiskMs)} of the period, and still at its end: ${worse(b.end.worsening)}.`
      : b.atRiskMs > 0
        ? `At risk for ${formatIncidentDuration(b.atRiskMs)} of the period; not at its end.`
        : "Not at risk in the period.";
  const bucketSection = (b: BucketPostureRow) => `<h3>Bucket ${esc(b.bucket)}</h3>
<p>${esc(`${atRiskLine(b)} Posture at the start: ${startWords(b)}.`)}</p>
<table><tr><th>part</th><th>at the start of the period</th><th>at the end of the period</th></tr>
${rows([...POSTURE_PARTS.map((p) => [partNames[p], describePosturePart(b.start.posture, p), describePosturePart(b.end.posture, p)]), ["worse than the reference", worse(b.start.worsening), worse(b.end.worsening)]])}
</table>
<table><tr><th>when</th><th>runner</th><th>what changed</th><th>worse than the reference</th></tr>
${b.changes.length === 0 ? `<tr><td colspan="4">no change in the period</td></tr>` : rows(b.changes.map((c) => [c.at, c.runnerId, c.changed.length === 0 ? "no part (compared again)" : c.changed.map((x) => `${partNames[x.part]}: ${x.from} → ${x.to}`).join("; "), worse(c.worsening)]))}
</table>
`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Walwarden evidence: ${esc(input.orgId)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.25rem .5rem;text-align:left}th{background:#eee}</style>
</head><body>
<h1>Evidence for ${esc(input.orgId)}</h1>
<p>Period ${esc(input.period.from)} to ${esc(input.period.to)}. Log <code>${esc(input.origin)}</code>: ${input.window.end > input.window.start ? `entries ${input.window.start} to ${input.window.end - 1}` : "no entries"} of the ${input.window.head} in its signed head checkpoint.</p>
<h2>Backups per database</h2>
<table><tr><th>database</th><th>completed backups</th><th>bytes</th><th>last completed</th></tr>
${rows([...perDb].sort(([a], [b]) => (a < b ? -1 : 1)).map(([db, r]) => [db, String(r.count), String(r.bytes), r.last]))}
</table>
<p>${failed.length} failed backup attempt(s) in the period.</p>
<h2>RPO compliance over the period</h2>
<p>For each database, the longest stretch of the period without a completed backup (from the period's start to the first backup, between backups, and from the last backup to the period's end), against its recovery point objective. The target is met if no stretch is longer. Targets are the tightest of the database's enabled schedules when the bundle was exported; they are not in the log.</p>
<table><tr><th>database</th><th>target (min)</th><th>backups</th><th>longest gap (min)</th><th>longest gap from</th><th>longest gap to</th><th>gaps over target</th><th>compliance</th></tr>
${rows(rpo.map((r) => [r.databaseId, r.targetRpoMinutes === null ? "none" : String(r.targetRpoMinutes), String(r.backups), minutes(r.longestGapMs), r.longestGap.from, r.longestGap.to, String(r.gapsOverTarget), r.status]))}
</table>
<h2>Restores</h2>
<table><tr><th>restore</th><th>backup</th><th>outcome</th><th>first seen</th><th>last transition</th><th>duration (s)</th></tr>
${rows([...restores].map(([id, r]) => [id, r.backupId, r.state, r.first, r.last, ((Date.parse(r.last) - Date.parse(r.first)) / 1000).toFixed(1)]))}
</table>
<h2>Restore drills</h2>
<p>For each database, the drills that concluded in the period (a failed attempt that was retried is listed below but not counted), the last that passed, and the recovery time (RTO: download and verification, restore, checks) against the target of its drill policy as each receipt records it. RTO minimum, median and maximum are over the drills whose restore ran to its end: those that passed, and those that failed their checks or their RTO target. Every drill is a receipt signed by the runner that did it, which the verifier checks against its log entry.</p>
<table><tr><th>database</th><th>drills</th><th>passed</th><th>failed</th><th>last passed</th><th>last pass RTO</th><th>RTO min</th><th>RTO median</th><th>RTO max</th><th>RTO target</th><th>over target</th></tr>
${drills.databases.length === 0 ? `<tr><td colspan="11">no drill in the period</td></tr>` : rows(drills.databases.map((d) => [d.databaseId, String(d.run), String(d.passed), String(d.failed), d.lastPass?.at ?? "none", secs(d.lastPass?.rtoMs), secs(d.rto?.minMs), secs(d.rto?.medianMs), secs(d.rto?.maxMs), d.targetsMs.length === 0 ? "none" : d.targetsMs.map(formatSeconds).join(", "), String(d.overTarget)]))}
</table>
<h3>Failed drills</h3>
<table><tr><th>when</th><th>database</th><th>drill</th><th>backup</th><th>failed in</th><th>reason</th><th>retried</th></tr>
${drills.failures.length === 0 ? `<tr><td colspan="7">none in the period</td></tr>` : rows(drills.failures.map((f) => [f.at, f.databaseId, f.drillId, f.backupId, f.phase, f.reason, f.willRetry ? "yes" : "no"]))}
</table>
<h2>Alerts</h2>
<p>An incident is a condition the Worker's cron tick found holding for a subject (a database, a runner, a job, a bucket): a backup that failed or was missed, a recovery point objective breached, a drill that failed or is overdue, a runner gone silent, a job stuck, a bucket whose protection got worse. Each is opened and resolved by entries in the signed log (<code>alert.opened</code>, <code>alert.resolved</code>), and the times below are theirs; an incident still open at the end of the period has lasted until then. Listed: every incident with an entry in the period, including those that opened before it and resolved in it. Whether and when an alert reached an email address, a Slack channel or a webhook is not evidence and is not shown: the log entries are.</p>
<p>${alerts.total.incidents} incident(s) in the period: ${severities(alerts.total.bySeverity)}.${alerts.total.longest ? esc(` Longest: ${alerts.total.longest.condition} for ${alerts.total.longest.subject}, ${lasted(alerts.total.longest)}.`) : ""}</p>
<table><tr><th>subject</th><th>incidents</th><th>critical</th><th>warning</th><th>info</th><th>longest</th></tr>
${alerts.subjects.length === 0 ? `<tr><td colspan="6">no incident in the period</td></tr>` : rows(alerts.subjects.map((s) => [s.subject, String(s.incidents.length), String(s.bySeverity.critical), String(s.bySeverity.warning), String(s.bySeverity.info), `${s.longest.condition}, ${lasted(s.longest)}`]))}
</table>
<h3>Incidents</h3>
<table><tr><th>subject</th><th>condition</th><th>severity</th><th>opened</th><th>resolved</th><th>duration</th></tr>
${incidents.length === 0 ? `<tr><td colspan="6">no incident in the period</td></tr>` : rows(incidents.map((x) => [x.subject, x.condition, x.severity, x.openedInWindow ? x.openedAt : `${x.openedAt} (before the period)`, x.resolvedAt ?? "still open at the end of the period", lasted(x)]))}
</table>
<h2>Retention</h2>
<p>Each backup the database's retention policy expired and its runner deleted in the period (<code>backup.expired</code>): the log keeps its manifest's digest for good; the bytes are gone. "Recomputed" says whether the policy the entry names, applied at its decision time to the backups this bundle holds from the expired one's completion to then, expires it, as the verifier checks. A backup the runner had to keep (under an Object Lock retention or a legal hold) is listed below it.</p>
<table><tr><th>deleted</th><th>database</th><th>backup</th><th>completed</th><th>policy</th><th>objects deleted</th><th>recomputed</th></tr>
${expiries.length === 0 ? `<tr><td colspan="7">no deletion in the period</td></tr>` : rows(expiries.map((e) => [e.at, e.data.databaseId, e.data.backupId, e.data.completedAt, describePolicy(e.data.policy), String(e.data.deletedKeys.length), recomputedWords(e.seq)]))}
</table>
<h3>Kept against the policy</h3>
<table><tr><th>when</th><th>database</th><th>backup</th><th>why</th><th>until</th></tr>
${blocked.length === 0 ? `<tr><td colspan="5">none in the period</td></tr>` : rows(blocked.map((e) => [e.at, e.data.databaseId, e.data.backupId, e.data.outcome, e.data.retainUntil ?? ""]))}
</table>
<h2>Bucket posture</h2>
<p>What each runner read of the protection of the bucket it stores backups in: versioning, Object Lock and its default retention, the public access block, default encryption, and the enabled lifecycle rules that expire objects under its prefix. "unknown" means the store does not offer that setting or the runner's credentials may not read it; it is not counted as worse. The Worker logs a <code>bucket.posture</code> entry when a bucket's posture, or what in it is worse than the last posture accepted as the bucket's, changes, and the times below are those entries'. A bucket is at risk while its entry lists something worse (the alert condition <code>bucket.at_risk</code> holds); its time at risk is the sum of those stretches within the period, until the period's end if it is still at risk then. The posture at the start is the last entry before the period when the exporter included it; otherwise it is the posture as first logged in the period, and the time before that entry is not counted.</p>
<table><tr><th>bucket</th><th>posture at the start</th><th>changes</th><th>at risk in the period</th><th>worse at the end</th></tr>
${posture.buckets.length === 0 ? `<tr><td colspan="5">no bucket posture reported in the period</td></tr>` : rows(posture.buckets.map((b) => [b.bucket, startWords(b), String(b.changes.length), atRiskCell(b), worse(b.end.worsening)]))}
</table>
${posture.buckets.map(bucketSection).join("")}<h2>Access changes</h2>
<p>Every change in the period of who may do what: users and their roles, API tokens, runners, and the bucket credentials the service presigns restores with. Identifiers and hashes only; no secret is ever logged.</p>
<table><tr><th>when</th><th>by</th><th>change</th><th>subject</th><th>detail</th></tr>
${changeRows(changes.access)}
</table>
<h2>Configuration changes</h2>
<p>Every change in the period of what is backed up, drilled and kept when: databases, schedules, drill and retention policies, alert channels.</p>
<table><tr><th>when</th><th>by</th><th>change</th><th>subject</th><th>detail</th></tr>
${changeRows(changes.config)}
</table>
<h2>Witnesses</h2>
<p>Witnesses cosign a checkpoint only if it is the one they accepted before or provably extends it (SPEC §13); your own runner witnesses your org's log on every poll. These are the cosignature lines the bundle's head checkpoint carries, by key name and the time each states; this page does not check them: <code>walwarden-verify bundle … --witness &lt;vkey&gt;</code> does, and fails the bundle without them.</p>
${witnessTable(input.headCheckpoint)}
<h2>How to verify this bundle</h2>
<p>This page is a summary, not the proof. Verify the whole bundle offline with keys you obtained independently:</p>
<pre>npx --package @walwarden/verifier walwarden-verify bundle &lt;bundle.zip&gt; --key &lt;checkpoint vkey&gt; --key &lt;manifest vkey&gt; --origin ${esc(input.origin)}</pre>
<p>The verifier checks the signed index of every file, the signed checkpoint, that the entries reproduce the log's root, every manifest against its log entry, every drill receipt against its log entry and the runner key the log names (add <code>--runner-key &lt;runner vkey&gt;</code> to accept only runner keys you pinned, and <code>--witness &lt;runner vkey&gt;</code> to require your runner's cosignature on the head), every restore against the restore state machine, and every deletion against its retention policy.</p>
</body></html>
`;
}
