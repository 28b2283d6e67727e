import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SYNTHETIC_ARTIFACT_SHA256, syntheticBackupResult } from "@walwarden/testing/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CompletionJournal, type PendingCompletion } from "./completion-journal.js";

const pendingFor = (jobId: string): PendingCompletion => ({
  jobId,
  leaseId: `lease-${jobId}`,
  backupId: `bk-${jobId}`,
  databaseId: "db-1",
  body: {
    leaseId: `lease-${jobId}`,
    artifactSha256: SYNTHETIC_ARTIFACT_SHA256,
    result: syntheticBackupResult("runner-1"),
  },
  facts: {
    backupId: `bk-${jobId}`,
    databaseId: "db-1",
    artifactKey: `walwarden/db-1/${jobId}.dump.zst`,
    compression: "zstd",
    pgDumpVersion: "15.8",
    serverVersion: "15.8",
    completedAt: "2026-12-03T10:01:00.000Z",
    sha256: SYNTHETIC_ARTIFACT_SHA256,
  },
  retention: null,
  recordedAt: "2026-12-03T10:01:00.000Z",
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ww-journal-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("CompletionJournal", () => {
  it("keeps an entry a running backup holds out of the pass over pending completions until it is released", async () => {
    const journal = await CompletionJournal.open(dir);
    await journal.add(pendingFor("job-a"));
    await journal.add(pendingFor("job-b"));
    // Both are being settled by their own backups (concurrency 2): a pass over pending ones takes neither.
    expect(journal.unheld()).toEqual([]);
    expect(journal.size).toBe(2);
    journal.release("job-a");
    expect(journal.unheld().map((p) => p.jobId)).toEqual(["job-a"]);
    await journal.remove("job-b");
    journal.release("job-b");
    expect(journal.unheld().map((p) => p.jobId)).toEqual(["job-a"]);
  });

  it("reopens what it wrote, unheld: after a restart every entry is for the next pass", async () => {
    const journal = await CompletionJournal.open(dir);
    await journal.add(pendingFor("job-a"));
    const reopened = await CompletionJournal.open(dir);
    expect(reopened.unheld().map((p) => p.jobId)).toEqual(["job-a"]);
  });

  it("refuses a journal that does not parse instead of emptying it", async () => {
    writeFileSync(join(dir, "pending-completions.json"), "{not json");
    await expect(CompletionJournal.open(dir)).rejects.toThrow(/is not JSON/);
    expect(readFileSync(join(dir, "pending-completions.json"), "utf8")).toBe("{not json");
  });
});
