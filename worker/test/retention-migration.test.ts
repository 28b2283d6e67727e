// Migration 0007 (worker/STORAGE.md): each database's schedules' retention_days becomes its retention policy
// {minAgeDays, timezone}, the largest if it has several, logged as retention.policy_set by system:upgrade;
// then the column goes. This file's D1 is taken back to before 0007 with data the old Worker wrote, and 0007
// is applied again by the same applier the deployment uses.
import { applyD1Migrations, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { flushOutbox } from "../src/log/outbox.js";
import { call, makeOrg } from "./support/client.js";
import { decodedLog } from "./support/retention-calls.js";

/** Undoes 0007 on this file's D1 (its own storage), so that 0007 can be applied to pre-0007 data. */
async function beforeMigration7(): Promise<void> {
  await env.DB.batch(
    [
      "DROP TABLE prune_jobs",
      "DROP TABLE retention_policies",
      "DROP INDEX jobs_db_kind",
      ...["expired_at", "expired_job_id", "prune_outcome", "prune_retry_at"].map(
        (c) => `ALTER TABLE backups DROP COLUMN ${c}`,
      ),
      "ALTER TABLE schedules ADD retention_days integer NOT NULL DEFAULT 0",
      "DELETE FROM d1_migrations WHERE name = '0007_retention.sql'",
    ].map((q) => env.DB.prepare(q)),
  );
}

const newDatabase = async (token: string, name: string) =>
  (await call("POST", "/v1/databases", { token, json: { name, provider: "rds" } })).body.id as string;

describe("migration 0007", () => {
  it("converts the largest retention_days of a database's schedules into {minAgeDays, timezone}, logged by system:upgrade, and drops the column", async () => {
    const org = await makeOrg();
    const other = await makeOrg();
    const [two, none] = [await newDatabase(org.adminToken, "two"), await newDatabase(org.adminToken, "none")];
    await beforeMigration7();
    const schedule = (id: string, orgId: string, databaseId: string, timezone: string, days: number) =>
      env.DB.prepare(
        `INSERT INTO schedules (id, org_id, database_id, cron, timezone, target_rpo_minutes, retention_days, enabled, next_run_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, '0 3 * * *', ?4, 1440, ?5, 1, NULL, 1, 1)`,
      ).bind(id, orgId, databaseId, timezone, days);
    await env.DB.batch([
      schedule("sch_a1", org.orgId, org.databaseId, "UTC", 30),
      schedule("sch_b1", org.orgId, two, "UTC", 14),
      schedule("sch_b2", org.orgId, two, "Europe/Oslo", 90),
      schedule("sch_b3", org.orgId, two, "Asia/Tokyo", 90),
      schedule("sch_c1", other.orgId, other.databaseId, "America/New_York", 7),
    ]);
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

    const { results: policies } = await env.DB.prepare(
      "SELECT database_id, org_id, policy FROM retention_policies ORDER BY database_id",
    ).all<{ database_id: string; org_id: string; policy: string }>();
    const byDb = Object.fromEntries(policies.map((p) => [p.database_id, JSON.parse(p.policy)]));
    expect(byDb).toEqual({
      [org.databaseId]: { minAgeDays: 30, timezone: "UTC" },
      // The largest; of two as large, the schedule with the smallest id.
      [two]: { minAgeDays: 90, timezone: "Europe/Oslo" },
      [other.databaseId]: { minAgeDays: 7, timezone: "America/New_York" },
    });
    expect(byDb[none]).toBeUndefined();
    const { results: columns } = await env.DB.prepare("PRAGMA table_info(schedules)").all<{ name: string }>();
    expect(columns.map((c) => c.name)).not.toContain("retention_days");

    // The outbox holds each conversion; appended, they are entries the verifier's schema accepts.
    await flushOutbox(env, org.orgId);
    await flushOutbox(env, other.orgId);
    const converted = (await decodedLog(org)).filter((e) => e.type === "retention.policy_set");
    expect(converted.map((e) => [e.actor, e.subject, e.data])).toEqual(
      [org.databaseId, two]
        .sort()
        .map((id) => ["system:upgrade", `database:${id}`, { databaseId: id, policy: byDb[id] }]),
    );
    expect((await decodedLog(other)).filter((e) => e.type === "retention.policy_set")).toHaveLength(1);

    // The API answers the converted policy, and schedules without the old field.
    const answered = await call("GET", `/v1/databases/${two}/retention-policy`, { token: org.viewerToken });
    expect(answered.body).toMatchObject({ policy: { minAgeDays: 90, timezone: "Europe/Oslo" }, lockDays: 90 });
    const listed = await call("GET", `/v1/schedules?databaseId=${two}`, { token: org.viewerToken });
    expect(listed.body.items).toHaveLength(3);
    for (const s of listed.body.items) expect(s).not.toHaveProperty("retentionDays");
  });
});
