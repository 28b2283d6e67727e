import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  BundleIndexSchema,
  BundlePaths,
  canonicalBytes,
  decodeEntry,
  fromBase64,
  fromUtf8,
  frontierOfLeafHashes,
  leafHash,
  readBundle,
  sha256,
  toHex,
  verifyBundle,
  zipBundleFiles,
  type BundleFiles,
  type LogEntry,
  type VerifyPolicy,
} from "@walwarden/verifier";
import {
  ClaimRestoreResponseSchema,
  EvidenceExportListSchema,
  IssueRestoreResponseSchema,
} from "@walwarden/verifier/wire";
import { buildEvidence } from "../src/evidence/build-bundle.js";
import { runCronTick } from "../src/scheduling/cron-tick.js";
import { ARTIFACT_SHA256 } from "./support/backup-result.js";
import { call, makeOrg, type Org } from "./support/client.js";
import { logEntries, publishedPolicy } from "./support/log-checks.js";
import { completedBackup, failedBackup } from "./support/runner-calls.js";
import { leasedPrune, putRetention, reportOf, sendReport } from "./support/retention-calls.js";
import { drillReady, failedPredicate, leasedDrill, receiptOf, sendReceipt } from "./support/drill-calls.js";
import { dumpD1, dumpLedger, settleLogs } from "./support/storage-dump.js";

// Evidence export in real workerd: POST /v1/evidence builds the verifier's bundle from the org's Ledger and
// D1, logs evidence.exported, and the zip verifies offline with verifyBundle (the code walwarden-verify
// runs) against the keys the Worker publishes.

const BUCKET = "acme-backups";
const CREDENTIAL = {
  endpoint: "http://127.0.0.1:4569",
  region: "us-east-1",
  forcePathStyle: true,
  accessKeyId: "RESTOREREADONLY",
  secretAccessKey: "restore-read-only-secret-0123456789",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (b: Uint8Array) => fromUtf8(b)!;

/** An export answer with the zip's raw bytes. */
interface Exported {
  status: number;
  zip: Uint8Array;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers of every shape.
  body: any;
  headers: Headers;
}

/** POST /v1/evidence, keeping the answer's bytes (the JSON helper would decode them as text). */
async function exportEvidence(token: string | undefined, json: unknown): Promise<Exported> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await SELF.fetch("https://walwarden.test/v1/evidence", {
    method: "POST",
    headers,
    body: JSON.stringify(json),
  });
  const zip = new Uint8Array(await res.arrayBuffer());
  const body = (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text(zip)) : undefined;
  return { status: res.status, zip, body, headers: res.headers };
}

async function exported(token: string, json: unknown): Promise<Exported> {
  const a = await exportEvidence(token, json);
  expect(a.status, JSON.stringify(a.body)).toBe(200);
  return a;
}

function filesOf(zip: Uint8Array): BundleFiles {
  const r = readBundle(zip);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function indexOf(files: BundleFiles) {
  const envelope = JSON.parse(text(files.get(BundlePaths.index)!));
  return BundleIndexSchema.parse(JSON.parse(text(fromBase64(envelope.payload)!)));
}

function entriesOf(files: BundleFiles): LogEntry[] {
  return text(files.get(BundlePaths.entries)!)
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const e = decodeEntry(new TextEncoder().encode(line));
      if (!e.ok) throw new Error(e.message);
      return e.value;
    });
}

const origin = (org: Org) => `test.walwarden.dev/log/${org.orgId}`;
async function policyFor(org: Org): Promise<VerifyPolicy> {
  return { ...(await publishedPolicy()), origin: origin(org) };
}

async function expectVerified(zip: Uint8Array, org: Org): Promise<void> {
  const r = await verifyBundle(zip, await policyFor(org));
  expect(
    r.checks.filter((c) => c.status === "fail"),
    JSON.stringify(r.checks),
  ).toEqual([]);
  expect(r.verdict).toBe("verified");
}

/** An instant strictly after everything logged so far (the Ledger timestamps with the same clock). */
async function instantNow(): Promise<string> {
  await sleep(5);
  const t = new Date().toISOString();
  await sleep(5);
  return t;
}

/** An org with a read-only bucket credential (restores need one) and an hourly schedule (an RPO target). */
async function readyOrg(): Promise<Org> {
  const org = await makeOrg();
  const put = await call("PUT", `/v1/buckets/${BUCKET}`, { token: org.adminToken, json: CREDENTIAL });
  if (put.status !== 200) throw new Error(`bucket credential: ${put.status} ${JSON.stringify(put.body)}`);
  const schedule = await call("POST", "/v1/schedules", {
    token: org.adminToken,
    json: { databaseId: org.databaseId, cron: "0 * * * *", timezone: "UTC", targetRpoMinutes: 60 },
  });
  if (schedule.status !== 201) throw new Error(`schedule: ${schedule.status} ${JSON.stringify(schedule.body)}`);
  return org;
}

/** A restore of `backupId` run to completion through the CLI's calls: issue → claim → every transition. */
async function completedRestore(org: Org, backupId: string): Promise<string> {
  const issued = IssueRestoreResponseSchema.parse(
    (await call("POST", "/v1/restores", { token: org.operatorToken, json: { backupId } })).body,
  );
  const claimed = ClaimRestoreResponseSchema.parse(
    (
      await call("POST", "/v1/restores/claim", {
        json: { token: issued.token, orgId: org.orgId, clientVersion: "0.1.0" },
      })
    ).body,
  );
  for (const s of [
    { state: "downloading" },
    { state: "verifying", sha256: ARTIFACT_SHA256 },
    { state: "restoring" },
    { state: "completed", dryRun: false },
  ]) {
    const a = await call("POST", `/v1/restores/${issued.restoreId}/transition`, {
      token: claimed.progressToken,
      json: s,
    });
    if (a.status !== 200) throw new Error(`transition ${s.state}: ${a.status} ${JSON.stringify(a.body)}`);
  }
  return issued.restoreId;
}

/** D1 (less api_tokens, whose last_used_at every call moves) and the org's Ledger. */
async function storedState(org: Org) {
  const { api_tokens: _used, ...d1 } = await dumpD1();
  return { d1, ledger: await dumpLedger(org.orgId) };
}

describe("exporting evidence", () => {
  it("a period with an alert: alert.opened and alert.resolved are in the bundle, it verifies, and report.html lists the incident", async () => {
    const org = await makeOrg();
    const from = await instantNow();
    // The runner never polls: eleven minutes on, the tick opens runner.silent; it polls, two ticks resolve it.
    await runCronTick(env, Date.now() + 11 * 60_000);
    await call("POST", "/v1/runner/claim", {
      token: org.runnerToken,
      json: { version: "0.1.0", databases: [org.databaseId] },
    });
    await runCronTick(env, Date.now() + 1000);
    await runCronTick(env, Date.now() + 2000);
    const a = await exported(org.viewerToken, { from, to: new Date(Date.now() + 3_600_000).toISOString() });
    await expectVerified(a.zip, org);
    const files = filesOf(a.zip);
    const alerts = entriesOf(files).filter((e) => e.type.startsWith("alert."));
    expect(alerts.map((e) => [e.type, (e.data as { condition: string }).condition])).toEqual([
      ["alert.opened", "runner.silent"],
      ["alert.resolved", "runner.silent"],
    ]);
    const report = text(files.get(BundlePaths.report)!);
    expect(report).toContain("Alerts");
    const section = report.slice(report.indexOf("<h2>Alerts</h2>"), report.indexOf("<h2>Alerts</h2>") + 4000);
    expect(section).toContain(`runner:${org.runnerId}`);
    expect(report).toContain("runner.silent");
  });

  it("a period with deletions and a bucket that got worse: report.html lists each deletion recomputed and the posture from before the period", async () => {
    const org = await makeOrg();
    const posture = {
      bucket: BUCKET,
      versioning: "enabled",
      objectLock: { enabled: true, defaultMode: "COMPLIANCE", defaultDays: 30 },
      publicAccess: "blocked",
      encryption: "AES256",
      lifecycle: [],
    };
    const claimWith = (p: unknown) =>
      call("POST", "/v1/runner/claim", {
        token: org.runnerToken,
        json: { version: "0.1.0", databases: [org.databaseId], kinds: ["prune"], posture: p },
      });
    expect((await claimWith(posture)).status).toBe(200);
    const from = await instantNow();
    const made = [await completedBackup(org), await completedBackup(org), await completedBackup(org)];
    expect((await putRetention(org, { keepLast: 1 })).status).toBe(200);
    // The decision reads each backup's instant from D1's copy of the log, which the Ledger writes in the
    // background: settle it first, or a backup not copied yet is left out (kept) and the targets differ.
    await settleLogs();
    await runCronTick(env, Date.now());
    const job = await leasedPrune(org);
    expect(job.targets.map((t) => t.backupId).sort()).toEqual([made[0]!.backupId, made[1]!.backupId].sort());
    expect((await sendReport(org.runnerToken, job.jobId, reportOf(job))).status).toBe(200);
    expect((await claimWith({ ...posture, versioning: "suspended" })).status).toBe(200);

    const a = await exported(org.viewerToken, { from, to: new Date(Date.now() + 3_600_000).toISOString() });
    await expectVerified(a.zip, org);
    const report = text(filesOf(a.zip).get(BundlePaths.report)!);
    const retention = report.slice(report.indexOf("<h2>Retention</h2>"), report.indexOf("<h2>Bucket posture</h2>"));
    for (const b of made.slice(0, 2)) expect(retention).toContain(b.backupId);
    expect(retention).not.toContain(made[2]!.backupId);
    expect(retention.match(/yes: the policy expires it/g)).toHaveLength(2);
    const section = report.slice(report.indexOf("<h2>Bucket posture</h2>"), report.indexOf("<h2>Access changes</h2>"));
    expect(section).toContain(`Bucket ${BUCKET}`);
    expect(section).toContain("versioning suspended");
    expect(section).toContain("still at its end");
    // The posture at the start is the one logged before the period (from D1's copy), not the first in it.
    const bucket = section.slice(section.indexOf(`<h3>Bucket ${BUCKET}</h3>`));
    expect(bucket).toContain("Posture at the start: as last logged before the period");
    expect(bucket).toMatch(/<td>versioning<\/td><td>enabled<\/td><td>suspended<\/td>/i);
  });

  it("a period with a passed and a failed drill: the bundle carries both receipts, its drills check passes and report.html counts them", async () => {
    const org = await readyOrg();
    const from = await instantNow();
    const { signer } = await drillReady(org);
    const passed = await leasedDrill(org);
    expect((await sendReceipt(org.runnerToken, passed.jobId, passed.leaseId, receiptOf(passed, signer))).status).toBe(
      200,
    );
    const failed = await leasedDrill(org);
    const failedReceipt = receiptOf(failed, signer, failedPredicate(failed));
    expect((await sendReceipt(org.runnerToken, failed.jobId, failed.leaseId, failedReceipt)).status).toBe(200);

    const a = await exported(org.viewerToken, { from, to: new Date(Date.now() + 3_600_000).toISOString() });
    await expectVerified(a.zip, org);
    const r = await verifyBundle(a.zip, await policyFor(org));
    expect(r.checks.find((c) => c.id === "drills")?.status).toBe("pass");
    const files = filesOf(a.zip);
    const lines = text(files.get(BundlePaths.drills)!).split("\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(text(canonicalBytes(failedReceipt)));
    const report = text(files.get(BundlePaths.report)!);
    expect(report).toContain("Restore drills");
    expect(report).toContain("1 of 2 tables differ from the manifest");
  });

  it("a period with backups, a failed backup and a restore: the zip verifies against the published keys and holds all of it", async () => {
    const org = await readyOrg();
    await completedBackup(org); // before the period
    const from = await instantNow();
    const first = await completedBackup(org);
    await failedBackup(org, "pg_dump: connection refused");
    const second = await completedBackup(org);
    const restoreId = await completedRestore(org, first.backupId);
    const to = new Date(Date.now() + 3_600_000).toISOString();

    const a = await exported(org.viewerToken, { from, to });
    expect(a.headers.get("content-type")).toBe("application/zip");
    expect(a.headers.get("cache-control")).toBe("no-store");
    await expectVerified(a.zip, org);

    const files = filesOf(a.zip);
    const index = indexOf(files);
    // A period reaching past the export is cut at the export's time: the bundle says what it covers.
    expect(index.period.from).toBe(from);
    expect(index.period.to).toBe(index.createdAt);
    expect(Date.parse(index.createdAt)).toBeLessThanOrEqual(Date.now());
    expect(a.headers.get("content-disposition")).toBe(
      `attachment; filename="walwarden-evidence-${org.orgId}-${from.replace(/[-:]/g, "")}-${index.period.to.replace(/[-:]/g, "")}.zip"`,
    );
    expect(index).toMatchObject({ orgId: org.orgId, origin: origin(org) });

    const entries = entriesOf(files);
    const all = (await logEntries(org.viewerToken)).map((t) => JSON.parse(t) as LogEntry);
    // The window is exactly the entries timestamped in the period (everything this test logged after `from`),
    // up to the head the bundle proves (the export's own entry comes after it).
    const inPeriod = all.filter((e) => e.at >= from && e.at < index.period.to && e.seq < index.log.head);
    expect(entries.map((e) => e.seq)).toEqual(inPeriod.map((e) => e.seq));
    expect(index.log).toEqual({ start: inPeriod[0]!.seq, end: inPeriod.at(-1)!.seq + 1, head: index.log.end });
    expect(new Set(entries.map((e) => e.type))).toEqual(
      new Set([
        "backup.scheduled",
        "backup.started",
        "backup.completed",
        "backup.failed",
        "restore.token_issued",
        "restore.claimed",
        "restore.downloading",
        "restore.verifying",
        "restore.restoring",
        "restore.completed",
      ]),
    );

    // Every manifest of the window, as the exact bytes the log's manifestSha256 names.
    const manifests = text(files.get(BundlePaths.manifests)!).split("\n").filter(Boolean);
    const completed = entries.filter((e) => e.type === "backup.completed");
    expect(completed.map((e) => e.data.backupId)).toEqual([first.backupId, second.backupId]);
    expect(manifests.map((m) => toHex(sha256(new TextEncoder().encode(m))))).toEqual(
      completed.map((e) => e.data.manifestSha256),
    );

    // The restore's whole history, and the checkpoints the backups were handed (those in their kits).
    const restores = text(files.get(BundlePaths.restores)!)
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(restores).toHaveLength(1);
    expect(restores[0]).toMatchObject({ restoreId, backupId: first.backupId });
    expect(restores[0].transitions.map((t: { state: string }) => t.state)).toEqual([
      "issued",
      "claimed",
      "downloading",
      "verifying",
      "restoring",
      "completed",
    ]);
    const bundled = [...files.keys()].filter((p) => p.startsWith(BundlePaths.checkpointsDir));
    expect(bundled.length).toBeGreaterThanOrEqual(1);
    for (const e of completed) expect(bundled.some((p) => Number(/(\d+)\.txt$/.exec(p)![1]) > e.seq)).toBe(true);

    // The report an auditor reads: backups per database, RPO compliance against the schedule's target,
    // the restore with its outcome, and how to verify.
    const report = text(files.get(BundlePaths.report)!);
    expect(report).toContain(`<tr><td>${org.databaseId}</td><td>2</td>`);
    expect(report).toContain("1 failed backup attempt(s) in the period.");
    expect(report).toMatch(
      new RegExp(`<tr><td>${org.databaseId}</td><td>60</td><td>2</td><td>[0-9.]+</td>.*<td>0</td><td>met</td></tr>`),
    );
    expect(report).toMatch(new RegExp(`<tr><td>${restoreId}</td><td>${first.backupId}</td><td>completed</td>`));
    expect(report).toContain(
      `walwarden-verify bundle &lt;bundle.zip&gt; --key &lt;checkpoint vkey&gt; --key &lt;manifest vkey&gt; --origin ${origin(org)}`,
    );
    expect(report).not.toMatch(/<script|src=|href=/i);
  });

  it("logs evidence.exported with the export id, the period, the window and the SHA-256 of the signed index, and lists it", async () => {
    const org = await readyOrg();
    const from = await instantNow();
    await completedBackup(org);
    const to = await instantNow();
    const a = await exported(org.viewerToken, { from, to });
    const files = filesOf(a.zip);
    const index = indexOf(files);
    const exportId = a.headers.get("x-walwarden-export-id")!;
    expect(exportId).toMatch(/^ev_/);

    const logged = (await logEntries(org.viewerToken))
      .map((t) => JSON.parse(t) as LogEntry)
      .filter((e) => e.type === "evidence.exported");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      seq: index.log.head,
      subject: `org:${org.orgId}`,
      actor: expect.stringMatching(/^token:tok_/),
    });
    expect(logged[0]!.data).toEqual({
      exportId,
      from,
      to,
      startSeq: index.log.start,
      endSeq: index.log.end,
      indexSha256: toHex(sha256(files.get(BundlePaths.index)!)),
    });

    const list = EvidenceExportListSchema.parse((await call("GET", "/v1/evidence", { token: org.viewerToken })).body);
    expect(list).toEqual({
      items: [{ ...logged[0]!.data, seq: logged[0]!.seq, at: logged[0]!.at, actor: logged[0]!.actor }],
      nextCursor: null,
    });
    // Newest first, a page at a time.
    await exported(org.viewerToken, { from, to });
    const page1 = EvidenceExportListSchema.parse(
      (await call("GET", "/v1/evidence?limit=1", { token: org.viewerToken })).body,
    );
    expect(page1.items[0]!.exportId).not.toBe(exportId);
    const page2 = EvidenceExportListSchema.parse(
      (await call("GET", `/v1/evidence?limit=1&cursor=${page1.nextCursor}`, { token: org.viewerToken })).body,
    );
    expect(page2).toEqual({ items: [list.items[0]], nextCursor: null });
  });

  it("a window in the middle of the log (start > 0, end < head) verifies through the frontier; the same period exported again covers the same entries", async () => {
    const org = await readyOrg();
    for (let i = 0; i < 3; i++) await completedBackup(org);
    const from = await instantNow();
    const inside = await completedBackup(org);
    await failedBackup(org, "disk full");
    await completedBackup(org);
    const to = await instantNow();
    const after = await completedBackup(org);

    const a = await exported(org.viewerToken, { from, to });
    await expectVerified(a.zip, org);
    const files = filesOf(a.zip);
    const index = indexOf(files);
    expect(index.log.start).toBeGreaterThan(0);
    expect(index.log.end).toBeLessThan(index.log.head);
    expect(JSON.parse(text(files.get(BundlePaths.frontier)!)).size).toBe(index.log.start);
    const entries = entriesOf(files);
    expect(entries.every((e) => e.at >= from && e.at < to)).toBe(true);
    expect(entries.filter((e) => e.type === "backup.completed").map((e) => e.data.backupId)).toContain(inside.backupId);
    expect(text(files.get(BundlePaths.entries)!)).not.toContain(after.backupId);
    expect(a.headers.get("x-walwarden-log-window")).toBe(`${index.log.start}-${index.log.end}/${index.log.head}`);
    // The period's edges are found on D1's (org_id, at, seq) index, not by scanning the org's log.
    const plan = await env.DB.prepare(
      "EXPLAIN QUERY PLAN SELECT seq FROM log_entries WHERE org_id = ?1 AND at >= ?2 ORDER BY at, seq LIMIT 1",
    )
      .bind(org.orgId, 0)
      .all<{ detail: string }>();
    expect(plan.results.map((r) => r.detail).join("; ")).toMatch(
      /^SEARCH log_entries USING COVERING INDEX log_entries_at \(org_id=\? AND at>\?\)$/,
    );

    // Later exports of the same period prove the same window against a newer head.
    await completedBackup(org);
    const again = await exported(org.viewerToken, { from, to });
    await expectVerified(again.zip, org);
    const later = indexOf(filesOf(again.zip));
    expect(later.log.start).toBe(index.log.start);
    expect(later.log.end).toBe(index.log.end);
    expect(later.log.head).toBeGreaterThan(index.log.head);
    expect(filesOf(again.zip).get(BundlePaths.entries)).toEqual(files.get(BundlePaths.entries));
  });

  it("an empty period, and a log that is still empty, still give bundles that verify", async () => {
    const org = await readyOrg();
    await completedBackup(org);
    const empty = await exported(org.viewerToken, { from: "2020-01-01T00:00:00.000Z", to: "2020-02-01T00:00:00.000Z" });
    await expectVerified(empty.zip, org);
    const index = indexOf(filesOf(empty.zip));
    expect(index.log.start).toBe(0);
    expect(index.log.end).toBe(0);
    expect(index.log.head).toBeGreaterThan(0);
    expect(text(filesOf(empty.zip).get(BundlePaths.report)!)).toContain(
      `no entries of the ${index.log.head} in its signed head checkpoint`,
    );
    expect(text(filesOf(empty.zip).get(BundlePaths.entries)!)).toBe("");
    // The window's edge instants may come with an offset: they are normalised to UTC.
    const offset = await exported(org.viewerToken, { from: "2020-01-01T01:00:00+01:00", to: "2020-01-02T00:00:00.5Z" });
    expect(indexOf(filesOf(offset.zip)).period).toEqual({
      from: "2020-01-01T00:00:00.000Z",
      to: "2020-01-02T00:00:00.500Z",
    });

    // Every org's log starts with its key registrations, so a log of size 0 is only reachable below the API.
    const orgId = "org_never_used";
    const head = await env.LEDGER.get(env.LEDGER.idFromName(orgId)).head(orgId);
    if (!head.ok) throw new Error(head.message);
    expect(head.value.treeSize).toBe(0);
    const built = await buildEvidence(env, {
      orgId,
      period: { from: "2020-01-01T00:00:00.000Z", to: head.value.at },
      createdAt: head.value.at,
      head: head.value,
    });
    if (!built.ok) throw new Error(built.message);
    const r = await verifyBundle(built.value.zip, {
      ...(await publishedPolicy()),
      origin: `test.walwarden.dev/log/${orgId}`,
    });
    expect(r.verdict, JSON.stringify(r.checks)).toBe("verified");
    expect(indexOf(filesOf(built.value.zip)).log).toEqual({ start: 0, end: 0, head: 0 });
  });

  it("tampering with any file of the zip fails verification", async () => {
    const org = await readyOrg();
    const from = await instantNow();
    const b = await completedBackup(org);
    await completedRestore(org, b.backupId);
    const a = await exported(org.viewerToken, { from, to: await instantNow() });
    const files = filesOf(a.zip);
    const policy = await policyFor(org);
    for (const path of files.keys()) {
      const changed = new Map(files);
      const bytes = files.get(path)!.slice();
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      changed.set(path, bytes);
      const r = await verifyBundle(zipBundleFiles(changed), policy);
      expect(r.verdict, path).toBe("not-verified");
    }
    const dropped = new Map(files);
    dropped.delete(BundlePaths.manifests);
    expect((await verifyBundle(zipBundleFiles(dropped), policy)).verdict).toBe("not-verified");
    // The untouched files rezipped still verify: the failures above are the tampering's.
    expect((await verifyBundle(zipBundleFiles(files), policy)).verdict).toBe("verified");
  });

  it("is deterministic: the same period, head and export time give the same bytes", async () => {
    const org = await readyOrg();
    const from = await instantNow();
    const b = await completedBackup(org);
    await failedBackup(org, "timeout");
    await completedRestore(org, b.backupId);
    const to = await instantNow();
    const ledger = env.LEDGER.get(env.LEDGER.idFromName(org.orgId));
    const head = await ledger.head(org.orgId);
    if (!head.ok) throw new Error(head.message);
    const spec = { orgId: org.orgId, period: { from, to }, createdAt: "2026-11-24T12:00:00.000Z", head: head.value };
    const one = await buildEvidence(env, spec);
    const two = await buildEvidence(env, spec);
    if (!one.ok || !two.ok) throw new Error("not built");
    expect(two.value.zip).toEqual(one.value.zip);
    expect(two.value.indexSha256).toBe(one.value.indexSha256);
    // Read from the Ledger two entries at a time instead of thousands: the same bytes.
    const paged = await buildEvidence(env, spec, { maxEntries: 1000, maxBytes: 1 << 24, pageEntries: 2 });
    expect(paged.ok && paged.value.zip).toEqual(one.value.zip);
    await expectVerified(one.value.zip, org);
    // Building writes nothing (only the export logs).
    const state = await storedState(org);
    await buildEvidence(env, spec);
    expect(await storedState(org)).toEqual(state);
  });

  it("a period with more than a bundle holds is refused, saying so", async () => {
    const org = await readyOrg();
    await completedBackup(org); // before the period
    const from = await instantNow();
    await completedBackup(org);
    const to = await instantNow();
    const head = await env.LEDGER.get(env.LEDGER.idFromName(org.orgId)).head(org.orgId);
    if (!head.ok) throw new Error(head.message);
    const spec = { orgId: org.orgId, period: { from, to }, createdAt: to, head: head.value };
    const entries = await buildEvidence(env, spec, { maxEntries: 2, maxBytes: 1 << 20 });
    expect(entries).toMatchObject({
      ok: false,
      code: "too-large",
      message: expect.stringMatching(
        /the period holds 3 log entries; a bundle holds at most 2: export a shorter period/,
      ),
    });
    const bytes = await buildEvidence(env, spec, { maxEntries: 100, maxBytes: 600 });
    expect(bytes).toMatchObject({
      ok: false,
      code: "too-large",
      message: expect.stringMatching(/more than 600 bytes/),
    });
    expect((await buildEvidence(env, spec, { maxEntries: 3, maxBytes: 1 << 20 })).ok).toBe(true);
  });
});

describe("what the Ledger serves for a bundle", () => {
  it("the frontier at every size is the verifier's; entry ranges are exact; sizes beyond the log are refused", async () => {
    const org = await readyOrg();
    await completedBackup(org);
    await failedBackup(org, "timeout");
    await completedBackup(org);
    const ledger = env.LEDGER.get(env.LEDGER.idFromName(org.orgId));
    const texts = await logEntries(org.viewerToken);
    const leaves = texts.map((t) => leafHash(new TextEncoder().encode(t)));
    for (let size = 0; size <= texts.length; size++) {
      const f = await ledger.frontier(org.orgId, size);
      expect(f.ok && f.value.map((h) => fromBase64(h)!)).toEqual(frontierOfLeafHashes(leaves, size));
    }
    expect(await ledger.entryRange(org.orgId, 2, 5)).toEqual({ ok: true, value: texts.slice(2, 5) });
    expect(await ledger.entryRange(org.orgId, 3, 3)).toEqual({ ok: true, value: [] });
    expect(await ledger.frontier(org.orgId, texts.length + 1)).toMatchObject({ ok: false, code: "out-of-range" });
    expect(await ledger.entryRange(org.orgId, 0, texts.length + 1)).toMatchObject({ ok: false, code: "out-of-range" });
    expect(await ledger.entryRange(org.orgId, 3, 2)).toMatchObject({ ok: false, code: "out-of-range" });
    // The checkpoint each backup.completed append returned is the first signed after the entry.
    const completed = texts.map((t) => JSON.parse(t) as LogEntry).filter((e) => e.type === "backup.completed");
    const handed = await ledger.appendCheckpoints(
      org.orgId,
      completed.map((e) => e.seq),
    );
    if (!handed.ok) throw new Error(handed.message);
    expect(handed.value.map((c) => c.size)).toEqual(completed.map((e) => e.seq + 1));
  });
});

describe("who may export, and what", () => {
  it("viewers and up may export; without credentials 401", async () => {
    const org = await readyOrg();
    const period = { from: "2020-01-01T00:00:00.000Z", to: "2020-01-02T00:00:00.000Z" };
    for (const token of [org.viewerToken, org.operatorToken, org.adminToken])
      expect((await exportEvidence(token, period)).status).toBe(200);
    const anonymous = await exportEvidence(undefined, period);
    expect(anonymous.status).toBe(401);
    expect((await exportEvidence("wwt_not-a-real-token-at-all", period)).status).toBe(401);
    expect((await call("GET", "/v1/evidence")).status).toBe(401);
    expect((await call("GET", "/v1/evidence", { token: org.runnerToken })).status).toBe(401);
  });

  it("another org's data never appears: each org's bundle holds only its own log, and does not verify as the other's", async () => {
    const a = await readyOrg();
    const b = await readyOrg();
    const from = await instantNow();
    const backupA = await completedBackup(a);
    const backupB = await completedBackup(b);
    await completedRestore(b, backupB.backupId);
    const to = await instantNow();
    const zipA = (await exported(a.viewerToken, { from, to })).zip;
    await expectVerified(zipA, a);
    const files = filesOf(zipA);
    const all = [...files.values()].map(text).join("\n");
    for (const foreign of [b.orgId, b.databaseId, b.runnerId, backupB.backupId, backupB.jobId])
      expect(all).not.toContain(foreign);
    expect(all).toContain(backupA.backupId);
    expect(text(files.get(BundlePaths.restores)!)).toBe("");
    const asB = await verifyBundle(zipA, await policyFor(b));
    expect(asB.verdict).toBe("not-verified");
    // B's export lists in B only.
    await exported(b.viewerToken, { from, to });
    expect(
      EvidenceExportListSchema.parse((await call("GET", "/v1/evidence", { token: a.viewerToken })).body).items,
    ).toHaveLength(1);
    expect(
      EvidenceExportListSchema.parse((await call("GET", "/v1/evidence", { token: b.viewerToken })).body).items,
    ).toHaveLength(1);
  });

  it("bad input gets a 400 that says what is wrong, and writes nothing", async () => {
    const org = await readyOrg();
    await completedBackup(org);
    const before = await storedState(org);
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const cases: [unknown, RegExp][] = [
      [{ from: "2026-11-02T00:00:00.000Z", to: "2026-11-01T00:00:00.000Z" }, /to: from must be before to/],
      [{ from: "2026-11-01T00:00:00.000Z", to: "2026-11-01T00:00:00.000Z" }, /to: from must be before to/],
      [{ from: "2026-11-01", to: "2026-11-02" }, /from: expected an RFC 3339 instant/],
      [{ from: "yesterday", to: "2026-11-02T00:00:00.000Z" }, /from: expected an RFC 3339 instant/],
      [{ from: "2026-11-01T00:00:00.000", to: "2026-11-02T00:00:00.000Z" }, /from: expected an RFC 3339 instant/],
      [{ from: "2026-11-01T00:00:00.0001Z", to: "2026-11-02T00:00:00.000Z" }, /from: at most millisecond precision/],
      [{ from: 1_700_000_000_000, to: "2026-11-02T00:00:00.000Z" }, /from/],
      [{ from: "2026-11-01T00:00:00.000Z" }, /to/],
      [{ from: "2026-11-01T00:00:00.000Z", to: "2026-11-02T00:00:00.000Z", orgId: "org_other" }, /orgId/],
      [{ from: "2024-01-01T00:00:00.000Z", to: "2025-01-02T00:00:00.000Z" }, /at most 366 days/],
      [{ from: later, to: new Date(Date.parse(later) + 1000).toISOString() }, /after now/],
      [[], /body/],
    ];
    for (const [json, message] of cases) {
      const a = await exportEvidence(org.viewerToken, json);
      expect(a.status, JSON.stringify(json)).toBe(400);
      expect(a.body.error.message, JSON.stringify(json)).toMatch(message);
    }
    const notJson = await SELF.fetch("https://walwarden.test/v1/evidence", {
      method: "POST",
      headers: { authorization: `Bearer ${org.viewerToken}`, "content-type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);
    const form = await SELF.fetch("https://walwarden.test/v1/evidence", {
      method: "POST",
      headers: { authorization: `Bearer ${org.viewerToken}`, "content-type": "text/plain" },
      body: "{}",
    });
    expect(form.status).toBe(415);
    expect((await call("GET", "/v1/evidence?cursor=not-a-seq", { token: org.viewerToken })).status).toBe(400);
    expect(await storedState(org)).toEqual(before);
  });
});
