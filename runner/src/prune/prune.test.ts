// The prune executor (SPEC §12) against the real local S3 (s3rver behind the fault proxy; Object Lock and
// versioning emulated in the proxy, as s3rver has neither) and the stand-in Worker on loopback as the
// receiver of its claim, heartbeats, report and failures. The backups are written by the runner's own
// upload and kit code (test/support/prune-kits.ts); the bucket is listed before and after.
import { DeleteObjectCommand, PutObjectCommand, PutObjectLegalHoldCommand } from "@aws-sdk/client-s3";
import type { ProxiedRequest } from "@walwarden/testing/s3";
import type { PruneTarget } from "@walwarden/verifier/wire";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BUCKET,
  id,
  PREFIX,
  type Proxied,
  type PruneHarness,
  startPruneHarness,
} from "../../test/support/prune-harness.js";
import { bucketKeys, type BackupSpec, type WrittenBackup, writeBackup } from "../../test/support/prune-kits.js";
import { lockObject } from "../kit/write-kit.js";
import { kitBase } from "./kit-files.js";
import { PruneJournal } from "./prune-journal.js";

let h: PruneHarness;
let plain: Proxied;

beforeAll(async () => {
  h = await startPruneHarness();
  plain = await h.proxied();
}, 60_000);
afterAll(async () => h?.stop());

const DAY = 86_400_000;
/** A backup of db_main started on `date` (03:00 UTC), written through `via` by the runner's own code. */
function backup(via: Proxied, date: string, over: Partial<BackupSpec> = {}): Promise<WrittenBackup> {
  return writeBackup(via.client, {
    bucket: BUCKET,
    prefix: PREFIX,
    databaseId: "db_main",
    backupId: id("bk"),
    startedAt: new Date(`${date}T03:00:00.000Z`),
    ...over,
  });
}
/** The object key a proxied request is for. */
const keyOf = (r: ProxiedRequest) => decodeURIComponent(r.path.slice(`/${BUCKET}/`.length));
/** The requests a proxy saw since `mark`. */
const since = (p: Proxied, mark: number) => p.proxy.requests.slice(mark);
/** The keys of the DeleteObject requests S3 really carried out (forwarded and answered 2xx). */
const deletedBy = (reqs: ProxiedRequest[]) =>
  reqs.filter((r) => r.op === "DeleteObject" && r.outcome === "forwarded" && (r.status ?? 0) < 300).map(keyOf);
const bypassing = (reqs: ProxiedRequest[]) =>
  reqs.filter((r) => Object.keys(r.headers).some((k) => k.toLowerCase() === "x-amz-bypass-governance-retention"));

describe("a prune", () => {
  it("deletes exactly its targets' artifacts and kit files (drill receipts too), artifact first, and nothing else in the bucket", async () => {
    const a = await backup(plain, "2026-01-02", { drills: [id("dr"), id("dr")] });
    const b = await backup(plain, "2026-01-03");
    const c = await backup(plain, "2026-01-03", { drills: [id("dr")] });
    // Around them: a backup of the same day that is kept, one whose id starts with b's id and a dot (its keys
    // are under b's `<base>.`: `bk.drill-x.manifest.json` even looks like a receipt of b), another
    // database's, an object under b's name that is no kit file, and a receipt-like name without metadata.
    const kept = await backup(plain, "2026-01-03");
    const decoy = await backup(plain, "2026-01-03", { backupId: `${b.target.backupId}.drill-x` });
    const other = await backup(plain, "2026-01-03", { databaseId: "db_other" });
    const strays = [
      `${kitBase(b.target.artifact.key)}.dump.zst.partial`,
      `${kitBase(b.target.artifact.key)}.drill-y.entry.json`,
    ];
    for (const Key of strays) await plain.client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: "x" }));
    // A receipt an older runner wrote without the walwarden-backup metadata: c's by its name alone.
    const legacy = `${kitBase(c.target.artifact.key)}.drill-legacy1.json`;
    await plain.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: legacy, Body: "{}" }));
    const doomed = [...a.keys, ...b.keys, ...c.keys, legacy];
    const before = await bucketKeys(h.direct, BUCKET);
    expect(before).toEqual(expect.arrayContaining([...doomed, ...kept.keys, ...decoy.keys, ...other.keys, ...strays]));

    const ctx = await h.context(plain);
    const mark = plain.proxy.requests.length;
    const { outcome, record } = await h.prune(ctx, [a.target, b.target, c.target]);
    expect(outcome).toMatchObject({ status: "pruned", expired: 3, blocked: 0 });
    const results = record.prune!.report.results;
    expect(results.map((r) => [r.backupId, r.outcome, r.retainUntil])).toEqual([
      [a.target.backupId, "deleted", null],
      [b.target.backupId, "deleted", null],
      [c.target.backupId, "deleted", null],
    ]);
    for (const [r, w, extra] of [
      [results[0]!, a, []],
      [results[1]!, b, []],
      [results[2]!, c, [legacy]],
    ] as const) {
      expect(r.deletedKeys[0]).toBe(w.target.artifact.key);
      expect([...r.deletedKeys].sort()).toEqual([...w.keys, ...extra].sort());
    }
    expect(await bucketKeys(h.direct, BUCKET)).toEqual(before.filter((k) => !doomed.includes(k)));
    const reqs = since(plain, mark);
    expect(deletedBy(reqs).sort()).toEqual([...doomed].sort());
    expect(bypassing(reqs)).toEqual([]);
    // s3rver has no Object Lock (501): asked once, then known for the rest of the job.
    expect(reqs.filter((r) => r.op === "GetObjectRetention").map((r) => r.status)).toEqual([501]);
    expect(reqs.filter((r) => r.op === "GetObjectLegalHold")).toEqual([]);
    expect(record.phases.length).toBeGreaterThan(0);
    expect(new Set(record.phases)).toEqual(new Set(["deleting"]));
    expect(ctx.pruneJournal.list()).toEqual([]);
    expect(h.worker.invalid).toEqual([]);
  });

  it("keeps what is not its own: another prefix, another bucket, another database, a key that is not that backup's layout (foreign), without a request to S3", async () => {
    const elsewhere = await backup(plain, "2026-02-01", { prefix: "elsewhere" });
    const otherDb = await backup(plain, "2026-02-01", { databaseId: "db_other" });
    const mine = await backup(plain, "2026-02-01");
    const targets: PruneTarget[] = [
      elsewhere.target,
      { ...mine.target, artifact: { ...mine.target.artifact, bucket: "someone-elses-bucket" } },
      otherDb.target,
      { ...mine.target, backupId: id("bk") },
      { ...mine.target, completedAt: "2026-01-31T23:00:00.000Z" },
      { ...mine.target, artifact: { ...mine.target.artifact, key: `${PREFIX}/db_main/../db_main/2026/02/01/x.dump` } },
    ];
    const before = await bucketKeys(h.direct, BUCKET);
    const ctx = await h.context(plain);
    const mark = plain.proxy.requests.length;
    const { outcome, record } = await h.prune(ctx, targets);
    expect(outcome).toMatchObject({ status: "pruned", expired: 0, blocked: targets.length });
    expect(record.prune!.report.results.map((r) => r.outcome)).toEqual(targets.map(() => "foreign"));
    expect(record.prune!.report.results.every((r) => r.deletedKeys.length === 0 && r.retainUntil === null)).toBe(true);
    expect(since(plain, mark)).toEqual([]);
    expect(await bucketKeys(h.direct, BUCKET)).toEqual(before);
  });

  it("keeps an object replaced under the same key (another ETag, or the same bytes with another backup's metadata: mismatch) and reports nothing at the key as missing", async () => {
    const bytes = Buffer.from("the very same bytes");
    const replaced = await backup(plain, "2026-03-01");
    const relabeled = await backup(plain, "2026-03-01", { bytes });
    const gone = await backup(plain, "2026-03-01");
    await plain.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: replaced.target.artifact.key,
        Body: "other bytes",
        Metadata: { "walwarden-backup": replaced.target.backupId },
      }),
    );
    await plain.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: relabeled.target.artifact.key,
        Body: bytes,
        Metadata: { "walwarden-backup": "bk_someone_else" },
      }),
    );
    await h.direct.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: gone.target.artifact.key }));
    const never = { ...gone.target, backupId: id("bk") };
    never.artifact = {
      ...gone.target.artifact,
      key: gone.target.artifact.key.replace(gone.target.backupId, never.backupId),
    };
    const before = await bucketKeys(h.direct, BUCKET);
    const ctx = await h.context(plain);
    const mark = plain.proxy.requests.length;
    const { outcome, record } = await h.prune(ctx, [replaced.target, relabeled.target, gone.target, never]);
    expect(outcome).toMatchObject({ status: "pruned", expired: 0, blocked: 2 });
    expect(record.prune!.report.results.map((r) => [r.outcome, r.deletedKeys])).toEqual([
      ["mismatch", []],
      ["mismatch", []],
      ["missing", []],
      ["missing", []],
    ]);
    expect(since(plain, mark).filter((r) => r.op === "DeleteObject")).toEqual([]);
    expect(await bucketKeys(h.direct, BUCKET)).toEqual(before);
    const why = h.lines.filter((l) => l.event === "prune.kept" && l.outcome === "mismatch").map((l) => String(l.why));
    expect(why.some((w) => w.includes("ETag"))).toBe(true);
    expect(why.some((w) => w.includes("bk_someone_else"))).toBe(true);
  });
});

describe("Object Lock (Object Lock emulated: s3rver lacks it)", () => {
  it("keeps a locked backup (locked, with its retain-until), a held one (legal-hold), and one whose kit file is still locked; deletes those whose lock has passed; never bypasses governance (Object Lock emulated: s3rver lacks it)", async () => {
    const lock = await h.proxied({});
    const future = new Date(Date.now() + 10 * DAY);
    const past = new Date(Date.now() - DAY);
    const locked = await backup(lock, "2026-04-01", { retention: { mode: "GOVERNANCE", retainUntil: future } });
    await lockObject(lock.client, BUCKET, locked.target.artifact.key, { mode: "GOVERNANCE", retainUntil: future });
    const held = await backup(lock, "2026-04-01", { retention: { mode: "GOVERNANCE", retainUntil: past } });
    await lockObject(lock.client, BUCKET, held.target.artifact.key, { mode: "GOVERNANCE", retainUntil: past });
    await lock.client.send(
      new PutObjectLegalHoldCommand({ Bucket: BUCKET, Key: held.target.artifact.key, LegalHold: { Status: "ON" } }),
    );
    const passed = await backup(lock, "2026-04-01", { retention: { mode: "COMPLIANCE", retainUntil: past } });
    await lockObject(lock.client, BUCKET, passed.target.artifact.key, { mode: "COMPLIANCE", retainUntil: past });
    const kitLocked = await backup(lock, "2026-04-01", { retention: { mode: "GOVERNANCE", retainUntil: past } });
    await lockObject(lock.client, BUCKET, kitLocked.target.artifact.key, { mode: "GOVERNANCE", retainUntil: past });
    // A drill receipt written later, locked from then on: the kit is deleted whole or not at all.
    const receiptUntil = new Date(Date.now() + 3 * DAY);
    const receipt = `${kitBase(kitLocked.target.artifact.key)}.drill-${id("dr")}.json`;
    await lock.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: receipt,
        Body: "{}",
        Metadata: { "walwarden-backup": kitLocked.target.backupId },
        ObjectLockMode: "GOVERNANCE",
        ObjectLockRetainUntilDate: receiptUntil,
      }),
    );
    const unlocked = await backup(lock, "2026-04-01");
    const protectedKeys = [...locked.keys, ...held.keys, ...kitLocked.keys, receipt];
    const before = await bucketKeys(h.direct, BUCKET);

    const ctx = await h.context(lock);
    const mark = lock.proxy.requests.length;
    const { outcome, record } = await h.prune(
      ctx,
      [locked, held, passed, kitLocked, unlocked].map((w) => w.target),
    );
    expect(outcome).toMatchObject({ status: "pruned", expired: 2, blocked: 3 });
    expect(record.prune!.report.results.map((r) => [r.outcome, r.retainUntil])).toEqual([
      ["locked", future.toISOString()],
      ["legal-hold", null],
      ["deleted", null],
      ["locked", receiptUntil.toISOString()],
      ["deleted", null],
    ]);
    const reqs = since(lock, mark);
    const deleted = deletedBy(reqs);
    expect(deleted.sort()).toEqual([...passed.keys, ...unlocked.keys].sort());
    expect(
      reqs
        .filter((r) => r.op === "DeleteObject")
        .map(keyOf)
        .filter((k) => protectedKeys.includes(k)),
    ).toEqual([]);
    expect(lock.proxy.emulation!.refusedDeletes).toEqual([]);
    expect(await bucketKeys(h.direct, BUCKET)).toEqual(before.filter((k) => !deleted.includes(k)));
    // Every artifact's retention and legal hold were read before anything of it was deleted.
    for (const w of [locked, held, passed, kitLocked, unlocked]) {
      const firstRead = reqs.findIndex((r) => r.op === "GetObjectRetention" && keyOf(r) === w.target.artifact.key);
      expect(firstRead).toBeGreaterThanOrEqual(0);
      const firstDelete = reqs.findIndex((r) => r.op === "DeleteObject" && w.keys.includes(keyOf(r)));
      if (firstDelete >= 0) expect(firstDelete).toBeGreaterThan(firstRead);
    }
    expect(bypassing(lock.proxy.requests)).toEqual([]);
    expect(bypassing(plain.proxy.requests)).toEqual([]);
  });

  it("a bucket without an Object Lock configuration (400 InvalidRequest) has no lock; any other answer to GetObjectRetention fails the job retryably, with a reason and logs free of credentials (Object Lock emulated: s3rver lacks it)", async () => {
    const noLock = await h.proxied({ objectLock: false });
    const w = await backup(noLock, "2026-04-02");
    const ctx = await h.context(noLock);
    let mark = noLock.proxy.requests.length;
    const done = await h.prune(ctx, [w.target]);
    expect(done.record.prune!.report.results[0]).toMatchObject({ outcome: "deleted" });
    expect(
      since(noLock, mark)
        .filter((r) => r.op === "GetObjectRetention")
        .map((r) => r.outcome),
    ).toEqual(["answered 400 InvalidRequest"]);

    const x = await backup(noLock, "2026-04-02");
    const before = await bucketKeys(h.direct, BUCKET);
    const presigned = `https://${BUCKET}.s3.amazonaws.com/k?X-Amz-Credential=AKIAEXAMPLEKEY%2F20260402&X-Amz-Signature=0123abcdef9876`;
    noLock.setFaults((_req, info) =>
      info.op === "GetObjectRetention"
        ? {
            status: 403,
            code: "AccessDenied",
            message: `denied for ${presigned} with secret ${h.s3.secretAccessKey}, db-password-xyz and Bearer ${ctx.config.token}`,
          }
        : undefined,
    );
    const logMark = h.lines.length;
    mark = noLock.proxy.requests.length;
    try {
      const { outcome, record } = await h.prune(await h.context(noLock), [x.target]);
      expect(outcome).toMatchObject({ status: "failed", retryable: true, reported: true });
      expect(record.state).toBe("failed");
      expect(record.fail!.retryable).toBe(true);
      expect(record.fail!.reason).toContain("GetObjectRetention");
      expect(record.fail!.reason).toContain("AccessDenied");
      expect(record.prune).toBeUndefined();
      const logged = JSON.stringify(h.lines.slice(logMark));
      expect(logged).toContain("prune.failed");
      for (const leaked of [
        "0123abcdef9876",
        "AKIAEXAMPLEKEY",
        h.s3.secretAccessKey,
        "db-password-xyz",
        ctx.config.token,
      ]) {
        expect(record.fail!.reason).not.toContain(leaked);
        expect(logged).not.toContain(leaked);
      }
    } finally {
      noLock.setFaults(undefined);
    }
    expect(since(noLock, mark).filter((r) => r.op === "DeleteObject")).toEqual([]);
    expect(await bucketKeys(h.direct, BUCKET)).toEqual(before);
  });
});

describe("versioning (versioning and Object Lock emulated: s3rver lacks them)", () => {
  it("HEADs and deletes the manifest's version of the artifact and each kit file's version: no delete marker hides bytes (Object Lock emulated: s3rver lacks it)", async () => {
    const ver = await h.proxied({ versioning: true });
    const w = await backup(ver, "2026-05-01", { drills: [id("dr")] });
    expect(w.target.artifact.versionId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const versions = new Map(ver.proxy.emulation!.versions);
    const ctx = await h.context(ver);
    const mark = ver.proxy.requests.length;
    const { record } = await h.prune(ctx, [w.target]);
    expect(record.prune!.report.results[0]).toMatchObject({ outcome: "deleted" });
    const reqs = since(ver, mark);
    const head = reqs.find((r) => r.op === "HeadObject" && keyOf(r) === w.target.artifact.key)!;
    expect(head.query.versionId).toBe(w.target.artifact.versionId);
    const deletes = reqs.filter((r) => r.op === "DeleteObject");
    expect(deletes.map((r) => [keyOf(r), r.query.versionId])).toEqual(
      [...record.prune!.report.results[0]!.deletedKeys].map((k) => [k, versions.get(k)]),
    );
    expect(deletes.every((r) => r.query.versionId)).toBe(true);
    expect(ver.proxy.emulation!.deleteMarkers.size).toBe(0);
    expect(await bucketKeys(h.direct, BUCKET, `${kitBase(w.target.artifact.key)}.`)).toEqual([]);
  });

  it("keeps an object whose version is not the manifest's (written again after versioning was turned on: mismatch) (Object Lock emulated: s3rver lacks it)", async () => {
    const ver = await h.proxied({ versioning: true });
    const bytes = Buffer.from("same bytes, same metadata, another version");
    // Backed up before versioning (the manifest has no version), then written again under versioning.
    const w = await backup(plain, "2026-05-02", { bytes });
    expect(w.target.artifact.versionId).toBeNull();
    await ver.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: w.target.artifact.key,
        Body: bytes,
        Metadata: { "walwarden-backup": w.target.backupId },
      }),
    );
    const before = await bucketKeys(h.direct, BUCKET);
    const { record } = await h.prune(await h.context(ver), [w.target]);
    expect(record.prune!.report.results[0]).toMatchObject({ outcome: "mismatch", deletedKeys: [] });
    expect(await bucketKeys(h.direct, BUCKET)).toEqual(before);
  });
});

describe("a prune that fails after its first delete", () => {
  it("re-claimed after a restart, reports deleted with the keys it deleted before (not missing), and never deletes an object twice", async () => {
    const p1 = await backup(plain, "2026-06-01", { drills: [id("dr")] });
    const p2 = await backup(plain, "2026-06-01");
    let deletes = 0;
    plain.setFaults((_req, info) =>
      info.op === "DeleteObject" && ++deletes === 2
        ? { status: 403, code: "AccessDenied", message: "denied" }
        : undefined,
    );
    const first = await h.context(plain);
    const mark = plain.proxy.requests.length;
    let jobId: string;
    try {
      const r = await h.prune(first, [p1.target, p2.target]);
      jobId = r.job.jobId;
      expect(r.outcome).toMatchObject({ status: "failed", retryable: true, reported: true });
      expect(r.record.fail!.reason).toContain("DeleteObject");
      expect(r.record.prune).toBeUndefined();
    } finally {
      plain.setFaults(undefined);
    }
    // What the journal on disk says: p1's artifact, then its first kit file (refused), before each delete.
    const onDisk = (await PruneJournal.open(first.config.stateDir)).list();
    expect(onDisk.map((e) => [e.backupId, e.deletes.map((d) => d.key)])).toEqual([
      [p1.target.backupId, [p1.target.artifact.key, p1.keys[1]]],
    ]);
    expect(await bucketKeys(h.direct, BUCKET, `${kitBase(p1.target.artifact.key)}.`)).toEqual(
      [...p1.keys.slice(1)].sort(),
    );

    // A restarted runner (the same state dir, the journal read from disk) gets the same job again.
    const restarted = await h.context(plain, { stateDir: first.config.stateDir });
    const again = await h.rerun(restarted, jobId);
    expect(again.job.attempt).toBe(2);
    expect(again.outcome).toMatchObject({ status: "pruned", expired: 2 });
    const [r1, r2] = again.record.prune!.report.results;
    expect(r1).toMatchObject({ backupId: p1.target.backupId, outcome: "deleted" });
    expect(r1!.deletedKeys[0]).toBe(p1.target.artifact.key);
    expect([...r1!.deletedKeys].sort()).toEqual([...p1.keys].sort());
    expect([...r2!.deletedKeys].sort()).toEqual([...p2.keys].sort());
    const deleted = deletedBy(since(plain, mark));
    expect(deleted.sort()).toEqual([...p1.keys, ...p2.keys].sort());
    expect(new Set(deleted).size).toBe(deleted.length);
    expect(restarted.pruneJournal.list()).toEqual([]);

    // Once reported, the journal has forgotten it: asked again, nothing is there.
    const later = await h.prune(await h.context(plain, { stateDir: first.config.stateDir }), [p1.target]);
    expect(later.record.prune!.report.results[0]).toMatchObject({ outcome: "missing", deletedKeys: [] });
  });
});
