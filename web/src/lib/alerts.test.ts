import { ALERT_CONDITIONS } from "@walwarden/verifier";
import type { Channel, Incident } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import {
  bannerFor,
  bySeverity,
  changesOf,
  CONDITIONS,
  createBody,
  EMPTY_FORM,
  formOf,
  openBySubject,
  openFor,
  routingWords,
  sortBySeverity,
  subjectPath,
} from "./alerts.js";

const incident = (over: Partial<Incident>): Incident => ({
  id: "inc_1",
  condition: "backup.failed",
  subject: "database:db_1",
  severity: "critical",
  summary: "Backups of orders failed after 3 attempt(s)",
  detail: null,
  openedAt: "2026-11-24T12:00:00.000Z",
  lastSeenAt: "2026-11-24T12:05:00.000Z",
  resolvedAt: null,
  ...over,
});

const channel: Channel = {
  id: "ach_1",
  name: "on-call",
  kind: "webhook",
  targetHint: "webhook to hooks.example.com",
  conditions: ["backup.failed"],
  minSeverity: "warning",
  repeatMinutes: 240,
  enabled: true,
  createdAt: "2026-11-24T12:00:00.000Z",
  updatedAt: "2026-11-24T12:00:00.000Z",
};

describe("alerts in words", () => {
  it("has words for exactly the verifier's conditions, in its order", () => {
    expect(CONDITIONS).toEqual([...ALERT_CONDITIONS]);
  });

  it("the banner: none without open alerts, role alert for a critical one, status for warnings only, the worst one's summary", () => {
    expect(bannerFor([])).toBeNull();
    const warn = incident({ id: "inc_w", condition: "drill.failed", severity: "warning", summary: "drill" });
    const crit = incident({ id: "inc_c" });
    expect(bannerFor([warn])).toMatchObject({ role: "status", count: "1 open alert", worst: { id: "inc_w" } });
    expect(bannerFor([warn, crit])).toMatchObject({ role: "alert", count: "2 open alerts", worst: { id: "inc_c" } });
    const info = incident({ id: "inc_i", severity: "info" });
    expect(bannerFor([info])?.role).toBe("status");
  });

  it("orders by severity and keeps the API's order among equals", () => {
    const a = incident({ id: "a", severity: "warning" });
    const b = incident({ id: "b", severity: "critical" });
    const c = incident({ id: "c", severity: "critical" });
    expect(bySeverity([a, b, c]).map((i) => i.id)).toEqual(["b", "c", "a"]);
  });

  it("links a subject to its screen when it has one", () => {
    expect(subjectPath("database:db_1")).toBe("/databases/db_1");
    expect(subjectPath("restore:rst_1")).toBe("/restores/rst_1");
    expect(subjectPath("runner:run_1")).toBe("/runners");
    expect(subjectPath("bucket:acme-backups")).toBe("/runners#posture-acme-backups");
    expect(subjectPath("job:job_1")).toBeNull();
    expect(subjectPath("nonsense")).toBeNull();
  });

  it("sorts databases: critical first, then warning, then the rest, by name within each", () => {
    const open = openBySubject(
      [
        incident({ subject: "database:db_w", severity: "warning", condition: "drill.failed" }),
        incident({ subject: "database:db_c" }),
        incident({ subject: "database:db_i", severity: "info" }),
        incident({ subject: "runner:run_1", condition: "runner.silent" }),
      ],
      "database",
    );
    const dbs = ["zeta", "db_w", "alpha", "db_c", "db_i"].map((n) => ({ databaseId: n, name: n }));
    expect(sortBySeverity(dbs, open).map((d) => d.name)).toEqual(["db_c", "db_w", "alpha", "db_i", "zeta"]);
    expect(open.has("run_1")).toBe(false);
  });

  it("says how long a resolved incident was open, and that an event is one", () => {
    expect(openFor(incident({}))).toBeNull();
    expect(openFor(incident({ resolvedAt: "2026-11-24T12:03:30.000Z" }))).toBe("open 3 min 30 s");
    expect(openFor(incident({ resolvedAt: "2026-11-24T12:00:00.000Z" }))).toBe("an event, notified once");
  });

  it("says what a channel receives", () => {
    expect(routingWords(channel)).toEqual({
      conditions: "Backup failed",
      severity: "Warning and above",
      repeat: "every 240 min while open",
    });
    expect(routingWords({ conditions: [], minSeverity: "critical", repeatMinutes: null })).toEqual({
      conditions: "every condition",
      severity: "Critical only",
      repeat: "once",
    });
  });
});

describe("the channel form", () => {
  it("creates with the typed target: a URL, or addresses split on commas", () => {
    expect(createBody({ ...EMPTY_FORM, name: " pager ", target: " https://hooks.example.com/x " })).toEqual({
      name: "pager",
      target: { kind: "webhook", url: "https://hooks.example.com/x" },
      conditions: [],
      minSeverity: "warning",
      repeatMinutes: 240,
      enabled: true,
    });
    expect(
      createBody({ ...EMPTY_FORM, kind: "email", target: "a@example.com, b@example.com,", repeat: "" }),
    ).toMatchObject({ target: { kind: "email", to: ["a@example.com", "b@example.com"] }, repeatMinutes: null });
  });

  it("patches only what changed: nothing for the untouched form, a target only when one is typed", () => {
    expect(changesOf(channel, formOf(channel))).toEqual({});
    expect(changesOf(channel, { ...formOf(channel), name: "pager", minSeverity: "critical" })).toEqual({
      name: "pager",
      minSeverity: "critical",
    });
    expect(changesOf(channel, { ...formOf(channel), conditions: ["backup.failed"] })).toEqual({});
    expect(changesOf(channel, { ...formOf(channel), repeat: "" })).toEqual({ repeatMinutes: null });
    expect(changesOf(channel, { ...formOf(channel), target: "https://hooks.example.com/new" })).toEqual({
      target: { kind: "webhook", url: "https://hooks.example.com/new" },
    });
    expect(changesOf(channel, { ...formOf(channel), kind: "email", target: "ops@example.com" })).toEqual({
      target: { kind: "email", to: ["ops@example.com"] },
    });
  });
});
