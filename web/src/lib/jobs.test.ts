import { JOB_KINDS as VERIFIER_KINDS, JOB_STATES } from "@walwarden/verifier";
import type { Job, Runner } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import {
  coverageOf,
  coverageWarning,
  filtersOf,
  isActive,
  JOB_KINDS,
  JOB_STATUSES,
  jobLine,
  queryOf,
  statusBadge,
} from "./jobs.js";

const now = Date.parse("2026-11-24T12:00:00Z");
const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
const job = (over: Partial<Job> = {}): Job => ({
  id: "job_1",
  kind: "backup",
  databaseId: "db_1",
  scheduleId: null,
  trigger: "manual",
  slotAt: ago(2),
  status: "queued",
  attempt: 0,
  maxAttempts: 3,
  runnerId: null,
  leaseExpiresAt: null,
  progress: null,
  backupId: "bkp_1",
  drillId: null,
  lastError: null,
  createdAt: ago(2),
  startedAt: null,
  finishedAt: null,
  ...over,
});
const runner = (over: Partial<Runner> = {}): Runner =>
  ({
    id: "rnr_1",
    name: "eu-1",
    createdAt: ago(600),
    lastSeenAt: ago(1),
    version: "0.1.0",
    revokedAt: null,
    vkey: null,
    keyRegisteredAt: null,
    ...over,
  }) as Runner;

describe("the states and kinds", () => {
  it("are the verifier's", () => {
    expect([...JOB_KINDS]).toEqual([...VERIFIER_KINDS]);
    expect([...JOB_STATUSES]).toEqual([...JOB_STATES]);
  });

  it("say a queued retry as retrying, and which are still on their way", () => {
    expect(statusBadge(job()).word).toBe("Queued");
    expect(statusBadge(job({ attempt: 1, lastError: "pg_dump exited 1" }))).toMatchObject({
      word: "Retrying",
      tone: "warn",
    });
    expect(statusBadge(job({ status: "leased" })).word).toBe("Running");
    expect(statusBadge(job({ status: "failed" }))).toMatchObject({ word: "Failed", tone: "bad" });
    expect(JOB_STATUSES.filter((status) => isActive({ status }))).toEqual(["queued", "leased", "completing"]);
  });
});

describe("jobLine", () => {
  it("says what a job waits for, what its runner reports, and why it failed after how many attempts", () => {
    expect(jobLine(job(), undefined, now)).toBe("Waiting for a runner to take it.");
    const leased = job({ status: "leased", attempt: 1, runnerId: "rnr_1", startedAt: ago(1) });
    expect(jobLine(leased, "eu-1", now)).toBe("Taken by runner eu-1 (attempt 1 of 3); no progress reported yet.");
    expect(jobLine({ ...leased, progress: { phase: "uploading", bytes: 12_900_000, at: ago(0.5) } }, "eu-1", now)).toBe(
      "Running on runner eu-1 (attempt 1 of 3): uploading to the bucket, 12.3 MiB so far, heard 30 s ago.",
    );
    expect(jobLine({ ...leased, status: "completing" }, "eu-1", now)).toBe(
      "Runner eu-1 reported it done; the Worker is recording it.",
    );
    expect(jobLine({ ...leased, status: "succeeded", finishedAt: ago(0) }, undefined, now)).toBe(
      "Succeeded on runner rnr_1 (attempt 1 of 3), in 1 min.",
    );
    expect(jobLine(job({ status: "failed", attempt: 3, lastError: "connection refused" }), "eu-1", now)).toBe(
      "Failed on attempt 3 of 3: connection refused.",
    );
    expect(jobLine(job({ attempt: 1, lastError: "timeout" }), "eu-1", now)).toBe(
      "Attempt 1 of 3 failed (timeout); queued again for another attempt.",
    );
  });
});

describe("the filters", () => {
  it("read the query, dropping what the API would refuse, and write only what is set", () => {
    expect(filtersOf(new URLSearchParams("kind=backup&status=failed&databaseId=db_1"))).toEqual({
      kind: "backup",
      status: "failed",
      databaseId: "db_1",
    });
    expect(filtersOf(new URLSearchParams("kind=restore&status=running&databaseId=a%20b"))).toEqual({
      kind: "",
      status: "",
      databaseId: "",
    });
    expect(queryOf({ kind: "", status: "leased", databaseId: "" }, { limit: "50" }).toString()).toBe(
      "status=leased&limit=50",
    );
  });
});

describe("coverageOf", () => {
  it("says when no runner is registered, or none polled lately", () => {
    expect(coverageOf([], [], now)).toEqual({ kind: "no-runners" });
    expect(coverageOf([runner({ revokedAt: ago(5) })], [], now)).toEqual({ kind: "no-runners" });
    expect(coverageOf([runner({ lastSeenAt: ago(30) }), runner({ id: "rnr_2", lastSeenAt: null })], [], now)).toEqual({
      kind: "all-silent",
      lastSeenAt: ago(30),
    });
    const w = coverageWarning({ kind: "all-silent", lastSeenAt: ago(30) }, now)!;
    expect(w.title).toBe("No runner has polled in the last 10 minutes");
    expect(w.body).toContain("the last poll was 30 min ago");
  });

  it("says a job left queued while runners poll, not one just queued or one polled for before it was queued", () => {
    const waiting = job({ createdAt: ago(7) });
    expect(coverageOf([runner()], [waiting], now)).toMatchObject({ kind: "unclaimed", waitedMinutes: 7 });
    expect(coverageOf([runner()], [job({ createdAt: ago(2) })], now)).toMatchObject({ kind: "ok" });
    expect(coverageOf([runner({ lastSeenAt: ago(8) })], [waiting], now)).toMatchObject({ kind: "ok" });
    expect(coverageWarning({ kind: "unclaimed", job: waiting, waitedMinutes: 7 })!.body).toContain(
      "not which databases each one serves",
    );
  });

  it("says the runner that ran the last job is silent while another polls; otherwise names it", () => {
    const runners = [runner(), runner({ id: "rnr_2", name: "old", lastSeenAt: ago(120) })];
    const ran = job({ status: "succeeded", runnerId: "rnr_2", startedAt: ago(130), attempt: 1 });
    const c = coverageOf(runners, [ran], now);
    expect(c).toMatchObject({ kind: "last-runner-silent", runner: { id: "rnr_2" } });
    expect(coverageWarning(c, now)!.body).toMatch(/^old has not polled for 2 h\./);
    expect(coverageOf(runners, [{ ...ran, runnerId: "rnr_1" }], now)).toMatchObject({
      kind: "ok",
      lastRunner: { id: "rnr_1" },
    });
    expect(coverageWarning({ kind: "ok", lastRunner: undefined })).toBeUndefined();
  });
});
