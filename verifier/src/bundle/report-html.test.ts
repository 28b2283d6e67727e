import { describe, expect, test } from "vitest";
import type { DrillPredicate } from "../drill/predicate.js";
import { buildFixtureLog, checkpointAt, ORIGIN } from "../test-support/fixture-log.js";
import { drillConcludedEntry, fixtureDrillReceipt, type FixtureReceipt } from "../test-support/drill.js";
import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { cosignCheckpoint, formatSignatureLine, formatVkey, parseSignedNote } from "../note/index.js";
import type { BucketPosture } from "../posture/posture.js";
import { RUNNER_SIGNER, testSigner } from "../test-support/keys.js";
import { alertSummary } from "./report-alerts.js";
import { drillSummary } from "./report-drills.js";
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
  test("names the witnesses whose cosignatures the head checkpoint carries, escaped; says when there are none", () => {
    const note = checkpointAt(f.log, 200);
    const body = parseSignedNote(note);
    if (!body.ok) throw new Error(body.message);
    const line = cosignCheckpoint(body.value.text, RUNNER_SIGNER, 1_765_000_000);
    if (!line.ok) throw new Error(line.message);
    // A line anyone could add to the note, under a name chosen to break out of the table.
    const hostile = formatSignatureLine("evil<img>.example/w", 1, new Uint8Array(72));
    const cosigned = note + line.value + hostile;
    const html = renderReportHtml({ ...input, headCheckpoint: cosigned });
    const section = html.slice(html.indexOf("<h2>Witnesses</h2>"), html.indexOf("<h2>How to verify"));
    expect(section).toContain(`<tr><td>${RUNNER_SIGNER.name}</td><td>2025-12-06T05:46:40.000Z</td></tr>`);
    expect(section).toContain("<td>evil&#60;img&#62;.example/w</td>");
    expect(section).not.toContain("<img>");
    expect(section).not.toContain("test.walwarden.dev/checkpoint</td>");
    expect(renderReportHtml({ ...input, headCheckpoint: note })).toContain(
      "none: the head checkpoint carries no cosignature",
    );
    expect(renderReportHtml(input)).toContain("not given by the exporter");
  });

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

  test("lists restore drills per database: run, passed, failed, the last pass, RTO min / median / max against the receipts' targets, and every failed drill with its phase and reason", () => {
    const at = (m: number) => new Date(Date.UTC(2026, 10, 1, 4, m)).toISOString();
    const backup = (databaseId: string): LogEntryOf<"backup.completed"> => ({
      v: 1,
      seq: 0,
      at: at(0),
      type: "backup.completed",
      actor: "runner:rn_1",
      subject: `database:${databaseId}`,
      data: {
        jobId: "job_1",
        backupId: `bk_${databaseId}`,
        databaseId,
        runnerId: "rn_1",
        artifact: { uri: "s3://b/k", sha256: "a".repeat(64), sizeBytes: 1 },
        manifestSha256: "b".repeat(64),
      },
    });
    const receipts: FixtureReceipt[] = [];
    const entries: LogEntry[] = [backup("db_main"), backup("db_other")];
    const drill = (
      databaseId: string,
      n: number,
      ms: [number, number | null, number | null],
      over: Partial<DrillPredicate> = {},
    ) => {
      const [downloadVerifyMs, restoreMs, checksMs] = ms;
      const rto = downloadVerifyMs + (restoreMs ?? 0) + (checksMs ?? 0);
      const r = fixtureDrillReceipt(backup(databaseId), {
        drillId: `dr_${n}`,
        jobId: `job_dr_${n}`,
        phases: { downloadVerifyMs, restoreMs, checksMs },
        rto: { ms: rto, targetMs: 900_000 },
        ...over,
        ...(over.rto ? { rto: { ...over.rto, ms: rto } } : {}),
      });
      receipts.push(r);
      entries.push(drillConcludedEntry(entries.length, at(n), r));
    };
    const failed = (phase: "checks" | "target" | "rto", reason: string) => ({
      outcome: "failed" as const,
      failure: { phase, reason },
    });
    drill("db_main", 1, [1250, 5100, 380]);
    drill("db_main", 2, [1000, 4000, 500], {
      ...failed("checks", "1 of 2 tables differ from the manifest"),
      tables: [{ schema: "public", name: "orders", expectedRows: 1200, actualRows: 1 }],
    });
    drill("db_main", 3, [800, null, null], {
      ...failed("target", "initdb: <no space left>"),
      pgRestore: { version: null, jobs: 2, exitCode: null, errors: [] },
      schemaFingerprint: { expected: "a".repeat(64), actual: null },
      assertions: [],
      tables: [],
      downloadedSha256: "a".repeat(64),
    });
    entries.push({
      v: 1,
      seq: entries.length,
      at: at(4),
      type: "drill.failed",
      actor: "system:lease",
      subject: "database:db_main",
      data: {
        jobId: "job_dr_4",
        drillId: "dr_4",
        databaseId: "db_main",
        backupId: "bk_db_main",
        runnerId: null,
        attempt: 1,
        reason: "the runner's lease expired",
        willRetry: true,
        receiptSha256: null,
        runnerVkey: null,
      },
    });
    drill("db_main", 5, [2000, 8000, 1000], { rto: { ms: 0, targetMs: 600_000 } });
    drill("db_other", 6, [1000, 2000, 1000], { rto: { ms: 0, targetMs: 5000 } });
    drill("db_other", 7, [1000, 5000, 1000], {
      ...failed("rto", "7.0 s is over the 5.0 s target"),
      rto: { ms: 0, targetMs: 5000 },
    });
    const drillReceipts = receipts.map((r) => r.bytes);
    const summary = drillSummary(entries, drillReceipts);
    expect(summary.databases).toEqual([
      {
        databaseId: "db_main",
        run: 4,
        passed: 2,
        failed: 2,
        lastPass: { at: at(5), rtoMs: 11_000 },
        rto: { measured: 3, minMs: 5500, medianMs: 6730, maxMs: 11_000 },
        targetsMs: [600_000, 900_000],
        overTarget: 0,
      },
      {
        databaseId: "db_other",
        run: 2,
        passed: 1,
        failed: 1,
        lastPass: { at: at(6), rtoMs: 4000 },
        rto: { measured: 2, minMs: 4000, medianMs: 5500, maxMs: 7000 },
        targetsMs: [5000],
        overTarget: 1,
      },
    ]);
    expect(summary.failures.map((f) => [f.drillId, f.phase, f.willRetry])).toEqual([
      ["dr_2", "checks", false],
      ["dr_3", "target", false],
      ["dr_4", "no receipt", true],
      ["dr_7", "rto", false],
    ]);
    const report = (more: object = {}) =>
      renderReportHtml({
        orgId: "org_acme",
        origin: ORIGIN,
        period: { from: at(0), to: at(60) },
        window: { start: 0, end: entries.length, head: entries.length },
        entries,
        drillReceipts,
        ...more,
      });
    const html = report();
    expect(report({ drillReceipts: [...drillReceipts].reverse() })).toBe(html);
    expect(html).not.toMatch(/<script|src=|href=/i);
    expect(html).toContain("<h2>Restore drills</h2>");
    expect(html).toContain(
      `<tr><td>db_main</td><td>4</td><td>2</td><td>2</td><td>${at(5)}</td><td>11.0 s</td><td>5.5 s</td><td>6.7 s</td><td>11.0 s</td><td>600.0 s, 900.0 s</td><td>0</td></tr>`,
    );
    expect(html).toContain(
      `<tr><td>db_other</td><td>2</td><td>1</td><td>1</td><td>${at(6)}</td><td>4.0 s</td><td>4.0 s</td><td>5.5 s</td><td>7.0 s</td><td>5.0 s</td><td>1</td></tr>`,
    );
    expect(html).toContain(
      `<tr><td>${at(2)}</td><td>db_main</td><td>dr_2</td><td>bk_db_main</td><td>checks</td><td>1 of 2 tables differ from the manifest</td><td>no</td></tr>`,
    );
    // A reason is the runner's text: escaped like every other value.
    expect(html).toContain("<td>target</td><td>initdb: &#60;no space left&#62;</td>");
    expect(html).toContain(
      `<tr><td>${at(4)}</td><td>db_main</td><td>dr_4</td><td>bk_db_main</td><td>no receipt</td><td>the runner&#39;s lease expired</td><td>yes</td></tr>`,
    );
    // Without the receipts the entries still give the counts and the passed drills' RTO, not the failures' phases.
    const bare = report({ drillReceipts: undefined });
    expect(bare).toContain(
      `<tr><td>db_other</td><td>2</td><td>1</td><td>1</td><td>${at(6)}</td><td>4.0 s</td><td>4.0 s</td><td>4.0 s</td><td>4.0 s</td><td>none</td><td>0</td></tr>`,
    );
    expect(bare).toContain(
      "<td>dr_7</td><td>bk_db_other</td><td>receipt not available</td><td>7.0 s is over the 5.0 s target</td>",
    );
    // A receipt that does not verify with its entry's key is not believed.
    const other = testSigner(RUNNER_SIGNER.name, 9);
    const lying = entries.map((e) =>
      e.type === "drill.failed" && e.data.drillId === "dr_7"
        ? { ...e, data: { ...e.data, runnerVkey: formatVkey(other.name, other.publicKey) } }
        : e,
    );
    expect(drillSummary(lying, drillReceipts).failures.at(-1)?.phase).toBe("receipt not available");
    // A period without drills says so.
    expect(renderReportHtml(input)).toContain(`<tr><td colspan="11">no drill in the period</td></tr>`);
  });

  test("the fixture log's drills are in its report", () => {
    const d = buildFixtureLog(90, 5, { drills: true });
    const html = renderReportHtml({
      ...input,
      window: { start: 0, end: 90, head: 90 },
      entries: d.entries,
      drillReceipts: [...d.receipts.values()],
    });
    for (const db of new Set(
      d.entries.filter((e) => e.type === "drill.completed").map((e) => e.data.databaseId as string),
    ))
      expect(html).toMatch(new RegExp(`<tr><td>${db}</td><td>\\d+</td><td>[1-9]\\d*</td>`));
    expect(html).toContain("<td>rto</td><td>the restore took longer than the policy&#39;s maximum RTO</td><td>no</td>");
  });

  test("lists the period's incidents per subject in Alerts, after the drills: condition, severity, opened, resolved or still open, duration", () => {
    const at = (h: number, m = 0) => new Date(Date.UTC(2026, 10, 1, h, m)).toISOString();
    const before = "2026-10-31T23:00:00.000Z";
    const alert = (
      seq: number,
      type: "alert.opened" | "alert.resolved",
      incidentId: string,
      condition: string,
      subject: string,
      openedAt: string,
      resolvedAt?: string,
    ) =>
      ({
        v: 1,
        seq,
        at: resolvedAt ?? openedAt,
        type,
        actor: "system:cron",
        subject,
        data:
          type === "alert.opened"
            ? { incidentId, condition, subject, severity: "critical", openedAt }
            : { incidentId, condition, subject, openedAt, resolvedAt },
      }) as LogEntry;
    const entries = [
      alert(0, "alert.resolved", "inc_0", "backup.failed", "database:db_main", before, at(0, 30)),
      alert(1, "alert.opened", "inc_1", "runner.silent", "runner:rnr_1", at(2)),
      alert(2, "alert.opened", "inc_2", "backup.missed", "database:db_main", at(3)),
      alert(3, "alert.resolved", "inc_2", "backup.missed", "database:db_main", at(3), at(5, 15)),
      alert(4, "alert.opened", "inc_3", "job.stuck", "job:job_7", at(6)),
      alert(5, "alert.resolved", "inc_3", "job.stuck", "job:job_7", at(6), at(6, 4)),
    ];
    const report = (list: LogEntry[]) =>
      renderReportHtml({
        orgId: "org_acme",
        origin: ORIGIN,
        period: { from: at(0), to: at(24) },
        window: { start: 0, end: list.length, head: list.length },
        entries: list,
      });
    const html = report(entries);
    expect(report(entries)).toBe(html);
    expect(html.indexOf("<h2>Alerts</h2>")).toBeGreaterThan(html.indexOf("<h3>Failed drills</h3>"));
    expect(html.indexOf("<h2>Alerts</h2>")).toBeLessThan(html.indexOf("<h2>Access changes</h2>"));
    expect(html).toContain("the log entries are.</p>");
    expect(html).toContain(
      "<p>4 incident(s) in the period: 4 critical, 0 warning, 0 info. Longest: runner.silent for runner:rnr_1, 22 h 0 min (still open).</p>",
    );
    expect(html).toContain(
      "<tr><td>database:db_main</td><td>2</td><td>2</td><td>0</td><td>0</td><td>backup.missed, 2 h 15 min</td></tr>",
    );
    expect(html).toContain(
      `<tr><td>database:db_main</td><td>backup.failed</td><td>critical</td><td>${before} (before the period)</td><td>${at(0, 30)}</td><td>1 h 30 min</td></tr>\n<tr><td>database:db_main</td><td>backup.missed</td><td>critical</td><td>${at(3)}</td><td>${at(5, 15)}</td><td>2 h 15 min</td></tr>\n<tr><td>runner:rnr_1</td><td>runner.silent</td><td>critical</td><td>${at(2)}</td><td>still open at the end of the period</td><td>22 h 0 min (still open)</td></tr>\n<tr><td>job:job_7</td><td>job.stuck</td><td>critical</td><td>${at(6)}</td><td>${at(6, 4)}</td><td>4 min 0 s</td></tr>`,
    );
    expect(alertSummary(entries, at(24)).subjects.map((s) => s.subject)).toEqual([
      "database:db_main",
      "runner:rnr_1",
      "job:job_7",
    ]);
    // The log's schemas restrict subjects and conditions, but the page escapes them like every other value.
    const evil = report([
      alert(0, "alert.opened", "inc_x", '<script>alert("x")</script>', "database:<img src=x onerror='y'>", at(1)),
    ]);
    expect(evil).not.toMatch(/<script|<img/i);
    expect(evil).toContain(
      "<td>database:&#60;img src=x onerror=&#39;y&#39;&#62;</td><td>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;</td>",
    );
    expect(evil).toContain(
      "Longest: &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; for database:&#60;img src=x onerror=&#39;y&#39;&#62;, 23 h 0 min (still open).",
    );
    // A period without incidents says so.
    const none = renderReportHtml(input);
    expect(none).toContain("<p>0 incident(s) in the period: 0 critical, 0 warning, 0 info.</p>");
    expect(none.match(/<tr><td colspan="6">no incident in the period<\/td><\/tr>/g)).toHaveLength(2);
  });

  test("shows each bucket's posture in Bucket posture, after Retention: at the start, its changes, at the end, and the time at risk", () => {
    const at = (h: number, m = 0) => new Date(Date.UTC(2026, 10, 1, h, m)).toISOString();
    const good = (bucket: string): BucketPosture => ({
      bucket,
      versioning: "enabled",
      objectLock: { enabled: true, defaultMode: "COMPLIANCE", defaultDays: 30 },
      publicAccess: "blocked",
      encryption: "aws:kms",
      lifecycle: [],
    });
    const posture = (seq: number, when: string, p: BucketPosture, worsening: string[] = []) =>
      ({
        v: 1,
        seq,
        at: when,
        type: "bucket.posture",
        actor: "runner:rnr_1",
        subject: `bucket:${p.bucket}`,
        data: { bucket: p.bucket, runnerId: "rnr_1", posture: p, worsening },
      }) as LogEntryOf<"bucket.posture">;
    const report = (list: LogEntry[], postureBefore?: LogEntry[]) =>
      renderReportHtml({
        orgId: "org_acme",
        origin: ORIGIN,
        period: { from: at(0), to: at(24) },
        window: { start: 10, end: 10 + list.length, head: 10 + list.length },
        entries: list,
        postureBefore,
      });
    const suspended = { ...good("backups-eu"), versioning: "suspended" as const };
    const html = report(
      [
        posture(10, at(2), suspended, ["versioning suspended"]),
        posture(11, at(3, 15), good("backups-eu")),
        posture(12, at(4), good("backups-us")),
        posture(13, at(20), { ...good("backups-us"), publicAccess: "unknown" }),
        posture(14, at(22), { ...good("backups-us"), publicAccess: "open" }, ["public access allowed"]),
      ],
      [posture(2, "2026-10-31T09:00:00.000Z", good("backups-eu"))],
    );
    expect(html.indexOf("<h2>Bucket posture</h2>")).toBeGreaterThan(html.indexOf("<h3>Kept against the policy</h3>"));
    expect(html.indexOf("<h2>Bucket posture</h2>")).toBeLessThan(html.indexOf("<h2>Access changes</h2>"));
    expect(html).toContain("the times below are those entries'.");
    expect(html).toContain(
      "<tr><td>backups-eu</td><td>as last logged before the period, 2026-10-31T09:00:00.000Z (runner rnr_1)</td><td>2</td><td>1 h 15 min</td><td>nothing</td></tr>",
    );
    expect(html).toContain(
      `<tr><td>backups-us</td><td>as first logged in the period, ${at(4)} (runner rnr_1)</td><td>2</td><td>2 h 0 min (still at the end)</td><td>public access allowed</td></tr>`,
    );
    expect(html).toContain("<h3>Bucket backups-eu</h3>\n<p>At risk for 1 h 15 min of the period; not at its end.");
    expect(html).toContain(
      "<h3>Bucket backups-us</h3>\n<p>At risk for 2 h 0 min of the period, and still at its end: public access allowed.",
    );
    expect(html).toContain(
      `<tr><td>${at(2)}</td><td>rnr_1</td><td>versioning: enabled → suspended</td><td>versioning suspended</td></tr>`,
    );
    // An unreadable part is said as unknown, and the entry that made it so lists nothing worse.
    expect(html).toContain(
      `<tr><td>${at(20)}</td><td>rnr_1</td><td>public access: blocked → unknown</td><td>nothing</td></tr>`,
    );
    expect(html).toContain(
      "<tr><td>public access</td><td>blocked</td><td>open</td></tr>\n<tr><td>default encryption</td><td>aws:kms</td><td>aws:kms</td></tr>",
    );
    // The log's schema bounds a bucket name's length only, and a rule id not at all: the page escapes both.
    const evil = report([
      posture(10, at(1), { ...good("<script>x</script>"), lifecycle: [{ id: '<img src=x onerror="y">', days: 1 }] }, [
        'lifecycle rule "<img src=x onerror=\\"y\\">" deletes objects after 1 days, before the policy does',
      ]),
    ]);
    expect(evil).not.toMatch(/<script|<img/i);
    expect(evil).toContain("<h3>Bucket &#60;script&#62;x&#60;/script&#62;</h3>");
    expect(evil).toContain("<td>&#34;&#60;img src=x onerror=\\&#34;y\\&#34;&#62;&#34; expires after 1 day(s)</td>");
    expect(evil).toContain("At risk for 23 h 0 min of the period, and still at its end: lifecycle rule &#34;&#60;img");
    // A period without posture entries says so.
    const none = renderReportHtml(input);
    expect(none).toContain(`<tr><td colspan="5">no bucket posture reported in the period</td></tr>`);
    expect(none).not.toContain("<h3>Bucket ");
  });
});
