// What happens when things go wrong, against real parts: a server newer than every pg_dump, S3 answering
// 500/503, the runner SIGKILLed mid-upload, SIGTERM mid-backup, and the database dying mid-dump.
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { abortStaleUploads } from "../src/s3/upload-artifact.js";
import { embeddedPgBinDir, startCluster } from "@walwarden/testing/postgres";
import { getJob, listBackups, requestBackup, triggerCron } from "@walwarden/testing/api";
import {
  addDatabase,
  listKeys,
  openUploads,
  runRunner,
  runnerConfig,
  startParts,
  startRunner,
  type Parts,
} from "@walwarden/testing/runner-parts";
import { addBulkData, createSampleDatabase } from "@walwarden/testing/sample-data";

let parts: Parts;

beforeAll(async () => {
  parts = await startParts();
  await createSampleDatabase(parts.pg, "shop");
  await createSampleDatabase(parts.pg, "bulk");
  // ≈ 96 MiB of hex text: ≈ 48 MiB stored, six 8 MiB parts.
  await addBulkData(parts.pg, "bulk", 96);
}, 300_000);
afterAll(async () => parts?.stop());

/** Requests of one S3 operation that reached the proxy since `mark` (a count of requests taken before). */
const uploadsOf = (op: string, mark = 0) => parts.proxy.requests.slice(mark).filter((r) => r.op === op);
/** Writes other than the witness's anchored checkpoints (SPEC §13): a claim's checkpoint is cosigned and anchored even when its job then fails. */
const writes = () =>
  parts.proxy.requests.filter((r) => (r.method === "PUT" || r.method === "POST") && !r.path.includes("/checkpoints/"));

describe("a server newer than every installed pg_dump", () => {
  it("fails the job with both versions named, and uploads nothing", async () => {
    const newer = await startCluster({ binDir: embeddedPgBinDir(), name: "pg18" });
    expect(newer.major).toBeGreaterThan(15);
    const databaseId = await addDatabase(parts, "too-new");
    const job = await requestBackup(parts.dev, parts.cookie, databaseId);
    const before = writes().length;
    const { path } = runnerConfig(parts, { [databaseId]: { url: newer.url("postgres") } });
    const r = await runRunner(["run", "--once", "--config", path]);
    expect(r.code).toBe(1);
    const failed = await getJob(parts.dev, parts.cookie, job.jobId);
    expect(failed.status).toBe("failed");
    expect(failed.lastError).toContain(`the server runs PostgreSQL ${newer.version}`);
    expect(failed.lastError).toMatch(/newest pg_dump here is 15\.\d+/);
    expect(writes().length).toBe(before);
    expect(await listKeys(parts, `walwarden/${databaseId}/`)).toEqual([]);
    await newer.stop();
  });
});

describe("S3 answering 500 and 503 to some parts", () => {
  it("retries them with backoff, and the backup succeeds", async () => {
    const databaseId = await addDatabase(parts, "flaky-s3");
    await requestBackup(parts.dev, parts.cookie, databaseId);
    const mark = parts.proxy.requests.length;
    const failedOnce = new Set<string>();
    parts.setFaults((_req, info) => {
      if (info.op !== "UploadPart" || failedOnce.has(info.query.partNumber!)) return undefined;
      const n = Number(info.query.partNumber);
      if (n > 3) return undefined;
      failedOnce.add(info.query.partNumber!);
      return n === 2
        ? { status: 500, code: "InternalError", message: "injected" }
        : { status: 503, code: "SlowDown", message: "injected" };
    });
    try {
      const { path } = runnerConfig(parts, { [databaseId]: { url: parts.pg.url("bulk") } });
      const r = await runRunner(["run", "--once", "--config", path]);
      expect(r.code, r.stdout.slice(-2000)).toBe(0);
    } finally {
      parts.setFaults(undefined);
    }
    expect([...failedOnce].sort()).toEqual(["1", "2", "3"]);
    const tries = (n: string) =>
      uploadsOf("UploadPart", mark)
        .filter((q) => q.query.partNumber === n)
        .map((q) => q.outcome);
    expect(tries("1")).toEqual(["answered 503 SlowDown", "forwarded"]);
    expect(tries("2")).toEqual(["answered 500 InternalError", "forwarded"]);
    expect(tries("4")).toEqual(["forwarded"]);
    const backups = await listBackups(parts.dev, parts.cookie, { databaseId });
    expect(backups.items).toHaveLength(1);
    expect(await openUploads(parts)).toEqual([]);
  });
});

describe("the runner SIGKILLed mid-upload", () => {
  it("leaves no object and no manifest; the next start aborts the upload; the job is re-queued and then completes", async () => {
    const databaseId = await addDatabase(parts, "killed");
    const job = await requestBackup(parts.dev, parts.cookie, databaseId);
    // Hold part 3 so the runner is surely mid-upload when it is killed.
    parts.setFaults((_req, info) =>
      info.op === "UploadPart" && info.query.partNumber === "3" ? { action: "stall" } : undefined,
    );
    const { path } = runnerConfig(parts, { [databaseId]: { url: parts.pg.url("bulk") } });
    const mark = parts.proxy.requests.length;
    const runner = startRunner(["run", "--config", path]);
    try {
      await waitFor(
        () => uploadsOf("UploadPart", mark).some((q) => q.query.partNumber === "3"),
        60_000,
        "part 3 to be sent",
      );
      runner.child.kill("SIGKILL");
      await runner.exit;
    } finally {
      parts.setFaults(undefined);
    }
    expect(await listKeys(parts, `walwarden/${databaseId}/`)).toEqual([]);
    const open = await openUploads(parts);
    expect(open.map((u) => u.key)).toHaveLength(1);
    expect(open[0]!.key).toContain(job.backupId);

    // The lease (6 s here) runs out; the cron tick re-queues the job for a second attempt.
    await new Promise((r) => setTimeout(r, 6_500));
    await triggerCron(parts.dev, Date.now());
    const requeued = await getJob(parts.dev, parts.cookie, job.jobId);
    expect(requeued).toMatchObject({ status: "queued", attempt: 1 });

    // Restarted with the same state dir: it aborts the orphaned upload first, then runs the job again.
    const again = await runRunner(["run", "--once", "--config", path]);
    expect(again.code, again.stdout.slice(-2000)).toBe(0);
    expect(again.lines.some((l) => l.event === "cleanup.aborted_uploads" && l.fromJournal === 1)).toBe(true);
    expect(await openUploads(parts)).toEqual([]);
    const done = await getJob(parts.dev, parts.cookie, job.jobId);
    expect(done).toMatchObject({ status: "succeeded", attempt: 2 });
    const keys = await listKeys(parts, `walwarden/${databaseId}/`);
    expect(keys.filter((k) => k.endsWith(".manifest.json"))).toHaveLength(1);
  });
});

describe("a lease lost before complete", () => {
  it("deletes the uploaded dump (it will never have a manifest), and the next attempt completes", async () => {
    const databaseId = await addDatabase(parts, "lease-lost");
    const job = await requestBackup(parts.dev, parts.cookie, databaseId);
    // No heartbeat within the 6 s lease, and S3 slow to finish the first upload: the lease runs out
    // and the cron tick re-queues the job before the runner can complete it.
    let held = false;
    parts.setFaults((_req, info) => {
      if (held || info.op !== "CompleteMultipartUpload") return undefined;
      held = true;
      return { action: "delay", ms: 9_000 };
    });
    const mark = parts.proxy.requests.length;
    const { path } = runnerConfig(parts, { [databaseId]: { url: parts.pg.url("bulk") } }, { heartbeatSeconds: 100 });
    const runner = startRunner(["run", "--once", "--config", path]);
    try {
      await waitFor(() => held, 60_000, "the upload to reach CompleteMultipartUpload");
      await new Promise((r) => setTimeout(r, 6_500));
      await triggerCron(parts.dev, Date.now());
      expect((await getJob(parts.dev, parts.cookie, job.jobId)).status).toBe("queued");
      const ended = await runner.exit;
      expect(ended.code, runner.stdout().slice(-2000)).toBe(1);
    } finally {
      parts.setFaults(undefined);
    }
    const reqs = parts.proxy.requests.slice(mark);
    const firstComplete = reqs.findIndex((q) => q.op === "CompleteMultipartUpload");
    const deleted = reqs.findIndex((q) => q.op === "DeleteObject" && q.path.includes(job.backupId));
    // The object was deleted after its upload finished and before any kit object was written for it.
    expect(deleted).toBeGreaterThan(firstComplete);
    expect(reqs.slice(0, deleted).some((q) => q.op === "PutObject" && q.path.endsWith(".manifest.json"))).toBe(false);
    const failed = runner.lines.find((l) => l.event === "backup.failed");
    expect(String(failed?.reason)).toMatch(/lease-lost/);
    // --once then claimed the re-queued job again, and that attempt completed with a manifest.
    expect(await getJob(parts.dev, parts.cookie, job.jobId)).toMatchObject({ status: "succeeded", attempt: 2 });
    expect(
      (await listKeys(parts, `walwarden/${databaseId}/`)).filter((k) => k.endsWith(".manifest.json")),
    ).toHaveLength(1);
  });
});

describe("a lease lost mid-upload (the runner was frozen past its lease)", () => {
  it("stops the job at the next heartbeat, aborts its upload, and the re-queued job completes", async () => {
    const databaseId = await addDatabase(parts, "frozen");
    const job = await requestBackup(parts.dev, parts.cookie, databaseId);
    parts.setFaults((_req, info) =>
      info.op === "UploadPart" && info.query.partNumber === "2" ? { action: "delay", ms: 2_000 } : undefined,
    );
    const mark = parts.proxy.requests.length;
    const { path } = runnerConfig(parts, { [databaseId]: { url: parts.pg.url("bulk") } });
    const runner = startRunner(["run", "--once", "--config", path]);
    try {
      await waitFor(
        () => uploadsOf("UploadPart", mark).some((q) => q.query.partNumber === "2"),
        60_000,
        "part 2 to be sent",
      );
      runner.child.kill("SIGSTOP");
      await new Promise((r) => setTimeout(r, 6_500));
      await triggerCron(parts.dev, Date.now());
      expect((await getJob(parts.dev, parts.cookie, job.jobId)).status).toBe("queued");
      runner.child.kill("SIGCONT");
      await runner.exit;
    } finally {
      parts.setFaults(undefined);
    }
    expect(runner.lines.some((l) => l.event === "heartbeat.lease_lost")).toBe(true);
    expect(runner.lines.some((l) => l.event === "backup.lease_lost")).toBe(true);
    expect(await openUploads(parts)).toEqual([]);
    expect(await getJob(parts.dev, parts.cookie, job.jobId)).toMatchObject({ status: "succeeded", attempt: 2 });
    expect(
      (await listKeys(parts, `walwarden/${databaseId}/`)).filter((k) => k.endsWith(".manifest.json")),
    ).toHaveLength(1);
  });
});

describe("open multipart uploads left by a runner that lost its journal", () => {
  it("are aborted at start when older than the cut-off, and only under the runner's prefix", async () => {
    const mine = await parts.s3Client.send(
      new CreateMultipartUploadCommand({ Bucket: parts.s3.bucket, Key: "walwarden/db_x/2026/01/01/bk_old.dump.zst" }),
    );
    const other = await parts.s3Client.send(
      new CreateMultipartUploadCommand({ Bucket: parts.s3.bucket, Key: "elsewhere/bk_other.dump.zst" }),
    );
    // Nothing is older than a cut-off in the past…
    expect(
      await abortStaleUploads(parts.s3Client, parts.s3.bucket, "walwarden", new Date(Date.now() - 3_600_000)),
    ).toBe(0);
    // …and with the cut-off after both started, only the one under the prefix is aborted.
    expect(await abortStaleUploads(parts.s3Client, parts.s3.bucket, "walwarden", new Date(Date.now() + 1_000))).toBe(1);
    const open = await openUploads(parts);
    expect(open.map((u) => u.uploadId)).toContain(other.UploadId);
    expect(open.map((u) => u.uploadId)).not.toContain(mine.UploadId);
    await parts.s3Client.send(
      new AbortMultipartUploadCommand({
        Bucket: parts.s3.bucket,
        Key: "elsewhere/bk_other.dump.zst",
        UploadId: other.UploadId,
      }),
    );
    expect(await openUploads(parts)).toEqual([]);
  });
});

describe("SIGTERM mid-backup", () => {
  it("stops claiming, aborts the upload, fails the job as retryable (re-queued), and exits 0", async () => {
    const databaseId = await addDatabase(parts, "terminated");
    const job = await requestBackup(parts.dev, parts.cookie, databaseId);
    parts.setFaults((_req, info) =>
      info.op === "UploadPart" && info.query.partNumber === "2" ? { action: "delay", ms: 20_000 } : undefined,
    );
    const { path } = runnerConfig(parts, { [databaseId]: { url: parts.pg.url("bulk") } });
    const mark = parts.proxy.requests.length;
    const runner = startRunner(["run", "--config", path]);
    try {
      await waitFor(
        () => uploadsOf("UploadPart", mark).some((q) => q.query.partNumber === "2"),
        60_000,
        "part 2 to be sent",
      );
      runner.child.kill("SIGTERM");
      const ended = await runner.exit;
      expect(ended.code, runner.stdout().slice(-2000)).toBe(0);
    } finally {
      parts.setFaults(undefined);
    }
    expect(runner.lines.some((l) => l.event === "runner.stopping")).toBe(true);
    expect(await openUploads(parts)).toEqual([]);
    expect(await listKeys(parts, `walwarden/${databaseId}/`)).toEqual([]);
    const j = await getJob(parts.dev, parts.cookie, job.jobId);
    expect(j.status).toBe("queued");
    expect(j.lastError).toContain("shutting down");
  });
});

describe("the database going away mid-dump", () => {
  it("fails the job with pg_dump's error text and leaves nothing in the bucket", async () => {
    const victim = await startCluster({ name: "victim" });
    await createSampleDatabase(victim, "bulk");
    await addBulkData(victim, "bulk", 96);
    const databaseId = await addDatabase(parts, "vanishing");
    const job = await requestBackup(parts.dev, parts.cookie, databaseId);
    // Slow the parts down so that pg_dump is still reading when the server dies.
    parts.setFaults((_req, info) => (info.op === "UploadPart" ? { action: "delay", ms: 1_500 } : undefined));
    const { path } = runnerConfig(parts, { [databaseId]: { url: victim.url("bulk") } });
    const mark = parts.proxy.requests.length;
    const runner = startRunner(["run", "--once", "--config", path]);
    try {
      await waitFor(() => uploadsOf("UploadPart", mark).length > 0, 60_000, "the upload to start");
      await victim.kill();
      const ended = await runner.exit;
      expect(ended.code).toBe(1);
    } finally {
      parts.setFaults(undefined);
    }
    // The first attempt failed with pg_dump's own words; --once then retried the re-queued job, which
    // could not connect at all (the server is gone), until its attempts ran out.
    const failures = runner.lines.filter((l) => l.event === "backup.failed").map((l) => String(l.reason));
    expect(failures[0]).toMatch(/^pg_dump failed \(exit 1\): pg_dump: error: /);
    expect(failures[0]).toMatch(
      /server closed the connection|terminating connection|connection to server|could not receive data/i,
    );
    expect(failures.slice(1).every((f) => f.startsWith("cannot connect"))).toBe(true);
    const j = await getJob(parts.dev, parts.cookie, job.jobId);
    expect(j).toMatchObject({ status: "failed", attempt: 3 });
    expect(await listKeys(parts, `walwarden/${databaseId}/`)).toEqual([]);
    expect(await openUploads(parts)).toEqual([]);
    await victim.stop();
  });
});

async function waitFor(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
