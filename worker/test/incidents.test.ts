// reconcileIncidents against real D1 in workerd with synthetic findings: the tick's bookkeeping alone, at
// sizes past one statement's chunk, so the chunked writes are checked row by row.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Finding } from "../src/alerts/find-conditions.js";
import { reconcileIncidents } from "../src/alerts/incidents.js";
import { CountingD1 } from "../src/lib/d1-counter.js";
import { makeOrg } from "./support/client.js";

const failing = (orgId: string, n: number, reason: string): Finding[] =>
  Array.from({ length: n }, (_, i) => ({
    orgId,
    condition: "backup.failed",
    subject: `database:db_${String(i).padStart(4, "0")}`,
    summary: `Backups of db ${i} failed: ${reason}`,
    detail: reason,
  }));

async function rows(orgId: string) {
  const { results } = await env.DB.prepare(
    "SELECT id, subject, summary, detail, open_key FROM alert_incidents WHERE org_id = ? ORDER BY subject",
  )
    .bind(orgId)
    .all<{ id: string; subject: string; summary: string; detail: string; open_key: string | null }>();
  return results;
}

describe("incidents", () => {
  it("rewrites exactly the open incidents whose facts changed, across several statements, and leaves the rest as they were", async () => {
    const org = await makeOrg();
    const first = await reconcileIncidents(new CountingD1(env.DB), failing(org.orgId, 250, "timeout"), 1_000);
    expect(first.stats).toMatchObject({ opened: 250, open: 250 });
    const opened = await rows(org.orgId);
    // 230 of them now fail for another reason (three rewrite statements of up to 100); 20 are unchanged.
    const next = failing(org.orgId, 250, "timeout").map((f, i) =>
      i < 230 ? { ...f, summary: `Backups of db ${i} failed: disk full`, detail: "disk full" } : f,
    );
    const d1 = new CountingD1(env.DB);
    const second = await reconcileIncidents(d1, next, 61_000);
    expect(second.stats).toMatchObject({ opened: 0, resolved: 0, open: 250 });
    const after = await rows(org.orgId);
    expect(after.map((r) => r.id)).toEqual(opened.map((r) => r.id));
    after.forEach((r, i) => {
      const reason = i < 230 ? "disk full" : "timeout";
      expect([r.summary, r.detail, r.open_key !== null]).toEqual([
        `Backups of db ${i} failed: ${reason}`,
        reason,
        true,
      ]);
    });
    // Unchanged findings cost no rewrite: a third identical pass sends fewer statements than the second.
    const again = new CountingD1(env.DB);
    await reconcileIncidents(again, next, 121_000);
    expect(again.statements).toBeLessThan(d1.statements);
    expect(d1.statements - again.statements).toBe(3);
  });
});
