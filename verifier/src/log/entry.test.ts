import { describe, expect, test } from "vitest";
import { utf8 } from "../bytes/utf8.js";
import { decodeEntry, encodeEntry, validateEntry, type LogEntry } from "./entry.js";
import { EVENT_TYPES } from "./event-data.js";
import { canTransition, checkRestoreHistory, RESTORE_STATES, TERMINAL_STATES } from "./restore-state.js";

const base = { v: 1 as const, at: "2026-11-24T03:00:00.000Z", actor: "system:cron", subject: "database:db_main" };
const ref = { restoreId: "rs_1", backupId: "bk_1" };
const sha = "b".repeat(64);

function restoreEntry(seq: number, type: LogEntry["type"], data: object): LogEntry {
  return { ...base, seq, type, actor: "restore:rs_1", subject: "restore:rs_1", data } as LogEntry;
}

/** One valid entry of every event type. */
export const EXAMPLES: LogEntry[] = [
  {
    ...base,
    seq: 0,
    type: "backup.scheduled",
    data: { jobId: "job_1", scheduleId: "sc_1", databaseId: "db_main", slot: base.at },
  },
  {
    ...base,
    seq: 1,
    type: "backup.started",
    actor: "runner:rn_1",
    data: { jobId: "job_1", databaseId: "db_main", runnerId: "rn_1", attempt: 1 },
  },
  {
    ...base,
    seq: 2,
    type: "backup.completed",
    actor: "runner:rn_1",
    data: {
      jobId: "job_1",
      backupId: "bk_1",
      databaseId: "db_main",
      runnerId: "rn_1",
      artifact: { uri: "s3://b/k", sha256: sha, sizeBytes: 10 },
      manifestSha256: sha,
    },
  },
  {
    ...base,
    seq: 3,
    type: "backup.failed",
    data: {
      jobId: "job_2",
      databaseId: "db_main",
      runnerId: null,
      attempt: 3,
      reason: "lease expired",
      willRetry: false,
    },
  },
  restoreEntry(4, "restore.token_issued", { ...ref, databaseId: "db_main", tokenSha256: sha, expiresAt: base.at }),
  restoreEntry(5, "restore.claim_rejected", { restoreId: null, tokenSha256: sha, reason: "unknown-token" }),
  restoreEntry(6, "restore.claimed", { ...ref, clientVersion: "0.1.0" }),
  restoreEntry(7, "restore.downloading", ref),
  restoreEntry(8, "restore.verifying", { ...ref, sha256: sha }),
  restoreEntry(9, "restore.restoring", ref),
  restoreEntry(10, "restore.completed", { ...ref, dryRun: false }),
  restoreEntry(11, "restore.failed", { ...ref, stage: "restoring", reason: "pg_restore: error" }),
  restoreEntry(12, "restore.expired", ref),
  {
    ...base,
    seq: 13,
    type: "key.registered",
    subject: "key:checkpoint",
    data: { purpose: "checkpoint", vkey: "k+01020304+AQ==" },
  },
  {
    ...base,
    seq: 14,
    type: "key.rotated",
    subject: "key:manifest",
    data: { purpose: "manifest", previousVkey: "a", vkey: "b" },
  },
  {
    ...base,
    seq: 15,
    type: "evidence.exported",
    actor: "user:u_1",
    subject: "org:org_acme",
    data: { exportId: "ex_1", from: base.at, to: base.at, startSeq: 0, endSeq: 15, indexSha256: sha },
  },
  ...adminExamples(16),
  ...drillExamples(31),
  { ...restoreEntry(100, "restore.cancelled", ref), actor: "user:u_1" },
];

/** One valid entry of every runner-key and drill type (SPEC §7, §11), numbered from `seq`. */
function drillExamples(seq: number): LogEntry[] {
  const vkey = "test.walwarden.dev/runner/rn_1+01020304+AQ==";
  const drill = { jobId: "job_3", drillId: "dr_1", databaseId: "db_main", backupId: "bk_1" };
  const rows: [LogEntry["type"], string, string, object][] = [
    ["runner.key_registered", "runner:rn_1", "runner:rn_1", { runnerId: "rn_1", vkey }],
    ["runner.key_rotated", "runner:rn_1", "runner:rn_1", { runnerId: "rn_1", previousVkey: vkey, vkey }],
    [
      "drill.policy_set",
      "user:u_1",
      "database:db_main",
      {
        databaseId: "db_main",
        cron: "0 4 * * *",
        timezone: "UTC",
        backup: { pick: "latest" },
        target: "local",
        maxRtoSeconds: 900,
        assertions: [{ name: "fresh", sqlSha256: sha, expect: { op: "eq", value: true } }],
        enabled: true,
      },
    ],
    ["drill.policy_removed", "user:u_1", "database:db_main", { databaseId: "db_main" }],
    [
      "retention.policy_set",
      "user:u_1",
      "database:db_main",
      { databaseId: "db_main", policy: { daily: 7, weekly: 4, monthly: 12, minAgeDays: 3, timezone: "Europe/Oslo" } },
    ],
    ["retention.policy_removed", "user:u_1", "database:db_main", { databaseId: "db_main" }],
    [
      "backup.expired",
      "runner:rn_1",
      "database:db_main",
      {
        backupId: "bk_00",
        databaseId: "db_main",
        jobId: "job_prune.db_main.1",
        runnerId: "rn_1",
        objectKey: "walwarden/db_main/2026/10/01/bk_00.dump.zst",
        versionId: null,
        artifactSha256: sha,
        manifestSha256: sha,
        completedAt: "2026-10-01T03:01:10.500Z",
        decidedAt: base.at,
        policy: { daily: 7, timezone: "UTC" },
        reason: "unkept",
        deletedKeys: [
          "walwarden/db_main/2026/10/01/bk_00.dump.zst",
          "walwarden/db_main/2026/10/01/bk_00.manifest.json",
        ],
      },
    ],
    [
      "bucket.posture",
      "runner:rn_1",
      "bucket:acme-backups",
      {
        bucket: "acme-backups",
        runnerId: "rn_1",
        posture: {
          bucket: "acme-backups",
          versioning: "suspended",
          objectLock: { enabled: true, defaultMode: "GOVERNANCE", defaultDays: 30 },
          publicAccess: "blocked",
          encryption: "AES256",
          lifecycle: [],
        },
        worsening: ["versioning suspended"],
      },
    ],
    [
      "witness.refused",
      "runner:rn_1",
      "runner:rn_1",
      { runnerId: "rn_1", size: "3", acceptedSize: "5", code: "rollback", message: "size 3 is below the accepted 5" },
    ],
    [
      "backup.expiry_blocked",
      "runner:rn_1",
      "database:db_main",
      {
        backupId: "bk_00",
        databaseId: "db_main",
        jobId: "job_prune.db_main.1",
        runnerId: "rn_1",
        outcome: "locked",
        retainUntil: "2027-01-01T00:00:00.000Z",
      },
    ],
    ["drill.scheduled", "system:cron", "database:db_main", { ...drill, slot: base.at }],
    [
      "drill.completed",
      "runner:rn_1",
      "database:db_main",
      { ...drill, runnerId: "rn_1", receiptSha256: sha, runnerVkey: vkey, rtoMs: 6730 },
    ],
    [
      "drill.failed",
      "system:lease",
      "database:db_main",
      {
        ...drill,
        runnerId: null,
        attempt: 1,
        reason: "lease expired",
        willRetry: false,
        receiptSha256: null,
        runnerVkey: null,
      },
    ],
    [
      "alert.opened",
      "system:cron",
      "database:db_main",
      {
        incidentId: "inc_1",
        condition: "backup.failed",
        subject: "database:db_main",
        severity: "critical",
        openedAt: base.at,
      },
    ],
    [
      "alert.resolved",
      "system:cron",
      "database:db_main",
      {
        incidentId: "inc_1",
        condition: "backup.failed",
        subject: "database:db_main",
        openedAt: base.at,
        resolvedAt: "2026-11-24T04:00:00.000Z",
      },
    ],
  ];
  return rows.map(
    ([type, actor, subject, data], i) => ({ ...base, seq: seq + i, type, actor, subject, data }) as LogEntry,
  );
}

/** One valid entry of every admin-action type (SPEC §7), numbered from `seq`. */
function adminExamples(seq: number): LogEntry[] {
  const user = { userId: "usr_1", email: "a@example.test" };
  const schedule = {
    scheduleId: "sch_1",
    databaseId: "db_main",
    cron: "0 * * * *",
    timezone: "UTC",
    targetRpoMinutes: 90,
    retentionDays: 30,
    enabled: true,
  };
  const database = { databaseId: "db_main", name: "main", provider: "neon" };
  const channel = {
    channelId: "ach_1",
    name: "on-call",
    kind: "webhook",
    conditions: ["backup.failed", "backup.missed"],
    minSeverity: "warning",
    repeatMinutes: 60,
    enabled: true,
    targetSha256: sha,
  };
  const witness = {
    witnessId: "wit_1",
    name: "witness.example/w1",
    vkey: "witness.example/w1+141f260a+BMqTrBcFGHBx1nuDx/8O/oEI6OxFMFdddyaHkzPb2r58",
  };
  const rows: [LogEntry["type"], string, object][] = [
    ["user.created", "user:usr_1", { ...user, role: "viewer" }],
    ["user.role_changed", "user:usr_1", { ...user, previousRole: "viewer", role: "admin" }],
    ["user.removed", "user:usr_1", { ...user, role: "admin" }],
    ["token.created", "token:tok_1", { tokenId: "tok_1", name: "ci", role: "operator", tokenSha256: sha }],
    ["token.revoked", "token:tok_1", { tokenId: "tok_1", name: "ci", role: "operator" }],
    ["runner.registered", "runner:rnr_1", { runnerId: "rnr_1", name: "vpc", tokenSha256: sha }],
    ["runner.revoked", "runner:rnr_1", { runnerId: "rnr_1", name: "vpc" }],
    [
      "bucket.credential_set",
      "bucket:acme-backups",
      { bucket: "acme-backups", region: "eu-west-1", endpoint: null, accessKeyIdSha256: sha, replaced: false },
    ],
    ["bucket.credential_removed", "bucket:acme-backups", { bucket: "acme-backups" }],
    ["database.created", "database:db_main", database],
    ["database.updated", "database:db_main", database],
    ["database.deleted", "database:db_main", { databaseId: "db_main", name: "main", schedulesRemoved: ["sch_1"] }],
    ["schedule.created", "schedule:sch_1", schedule],
    ["schedule.updated", "schedule:sch_1", schedule],
    ["schedule.deleted", "schedule:sch_1", { scheduleId: "sch_1", databaseId: "db_main" }],
    ["alert.channel_created", "channel:ach_1", channel],
    ["alert.channel_updated", "channel:ach_1", { ...channel, conditions: [], repeatMinutes: null }],
    ["alert.channel_deleted", "channel:ach_1", { channelId: "ach_1", name: "on-call", kind: "webhook" }],
    ["witness.added", "witness:wit_1", { ...witness, urlSha256: sha, replaced: false }],
    ["witness.removed", "witness:wit_1", witness],
  ];
  return rows.map(
    ([type, subject, data], i) => ({ ...base, seq: seq + i, type, actor: "user:u_1", subject, data }) as LogEntry,
  );
}

describe("log entries", () => {
  test("there is a valid example of every event type, and each round-trips through its stored bytes", () => {
    expect(new Set(EXAMPLES.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
    for (const e of EXAMPLES) {
      const bytes = encodeEntry(e);
      expect(decodeEntry(bytes)).toEqual({ ok: true, value: e });
    }
  });

  test("stored bytes are JCS: keys sorted, no whitespace", () => {
    expect(new TextDecoder().decode(encodeEntry(EXAMPLES[1]!))).toBe(
      '{"actor":"runner:rn_1","at":"2026-11-24T03:00:00.000Z","data":{"attempt":1,"databaseId":"db_main","jobId":"job_1","runnerId":"rn_1"},"seq":1,"subject":"database:db_main","type":"backup.started","v":1}',
    );
  });

  test("rejects non-canonical bytes, unknown types, wrong data, extra fields and secrets-shaped fields", () => {
    const e = EXAMPLES[0]!;
    expect(decodeEntry(utf8(JSON.stringify(e)))).toMatchObject({ ok: false, code: "not-canonical" });
    expect(validateEntry({ ...e, type: "backup.deleted" }).ok).toBe(false);
    expect(validateEntry({ ...e, data: { ...e.data, slot: "yesterday" } }).ok).toBe(false);
    expect(validateEntry({ ...e, data: { ...e.data, token: "secret" } }).ok).toBe(false);
    expect(validateEntry({ ...e, password: "x" }).ok).toBe(false);
    expect(validateEntry({ ...e, v: 2 }).ok).toBe(false);
    expect(validateEntry({ ...e, seq: -1 }).ok).toBe(false);
    expect(validateEntry({ ...e, actor: "root" }).ok).toBe(false);
    expect(validateEntry({ ...e, at: "2026-11-24T03:00:00Z" }).ok).toBe(false);
  });
});

describe("restore state machine", () => {
  const flow = (types: LogEntry["type"][], dryRun = false) =>
    types.map((t, i) =>
      restoreEntry(
        i,
        t,
        t === "restore.token_issued"
          ? { ...ref, databaseId: "db", tokenSha256: sha, expiresAt: base.at }
          : t === "restore.completed"
            ? { ...ref, dryRun }
            : t === "restore.failed"
              ? { ...ref, stage: "x", reason: "y" }
              : t === "restore.claimed"
                ? { ...ref, clientVersion: "1" }
                : t === "restore.verifying"
                  ? { ...ref, sha256: null }
                  : ref,
      ),
    );
  const happy: LogEntry["type"][] = [
    "restore.token_issued",
    "restore.claimed",
    "restore.downloading",
    "restore.verifying",
    "restore.restoring",
    "restore.completed",
  ];

  test("accepts the happy path, a dry run, failures from every live state, expiry and an unfinished restore", () => {
    expect(checkRestoreHistory(flow(happy))).toEqual({ ok: true, value: "completed" });
    expect(checkRestoreHistory(flow([...happy.slice(0, 4), "restore.completed"], true))).toEqual({
      ok: true,
      value: "completed",
    });
    for (let i = 1; i <= 5; i++)
      expect(checkRestoreHistory(flow([...happy.slice(0, i), "restore.failed"])).ok).toBe(true);
    expect(checkRestoreHistory(flow(["restore.token_issued", "restore.expired"]))).toEqual({
      ok: true,
      value: "expired",
    });
    expect(checkRestoreHistory(flow(happy.slice(0, 3)))).toEqual({ ok: true, value: "downloading" });
    expect(checkRestoreHistory(flow(["restore.token_issued", "restore.cancelled"]))).toEqual({
      ok: true,
      value: "cancelled",
    });
  });

  test("a restore is cancelled only while issued, and nothing follows a cancel", () => {
    for (let i = 2; i <= happy.length; i++)
      expect(checkRestoreHistory(flow([...happy.slice(0, i), "restore.cancelled"])).ok, happy[i - 1]).toBe(false);
    expect(checkRestoreHistory(flow(["restore.token_issued", "restore.expired", "restore.cancelled"])).ok).toBe(false);
    for (const next of ["restore.claimed", "restore.failed", "restore.expired", "restore.cancelled"] as const)
      expect(checkRestoreHistory(flow(["restore.token_issued", "restore.cancelled", next])).ok, next).toBe(false);
  });

  test("every state but a terminal one has a way on, and the terminal ones none", () => {
    for (const s of RESTORE_STATES)
      expect(
        RESTORE_STATES.some((t) => canTransition(s, t)),
        s,
      ).toBe(!TERMINAL_STATES.has(s));
    expect([...TERMINAL_STATES].sort()).toEqual(["cancelled", "completed", "expired", "failed"]);
  });

  test("rejects skipped, repeated, reordered or post-terminal transitions and dry-run lies", () => {
    expect(checkRestoreHistory(flow(["restore.token_issued", "restore.downloading"])).ok).toBe(false);
    expect(checkRestoreHistory(flow(["restore.token_issued", "restore.claimed", "restore.claimed"])).ok).toBe(false);
    expect(checkRestoreHistory(flow(["restore.claimed", "restore.token_issued"])).ok).toBe(false);
    expect(checkRestoreHistory(flow([...happy, "restore.failed"])).ok).toBe(false);
    expect(checkRestoreHistory(flow(["restore.token_issued", "restore.claimed", "restore.expired"])).ok).toBe(false);
    expect(checkRestoreHistory(flow(happy, true))).toMatchObject({ ok: false, code: "dry-run-mismatch" });
    expect(checkRestoreHistory(flow([...happy.slice(0, 4), "restore.completed"], false))).toMatchObject({
      ok: false,
      code: "dry-run-mismatch",
    });
  });

  test("a partial history (issued before the window) may start mid-way but must still follow the machine", () => {
    expect(checkRestoreHistory(flow(happy.slice(2)), { partial: true }).ok).toBe(true);
    expect(checkRestoreHistory(flow(happy.slice(2))).ok).toBe(false);
    expect(checkRestoreHistory(flow(["restore.downloading", "restore.completed"]), { partial: true }).ok).toBe(false);
  });
});
