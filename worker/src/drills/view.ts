import { and, eq } from "drizzle-orm";
import type { DsseEnvelope } from "@walwarden/verifier";
import type { Drill } from "@walwarden/verifier/wire";
import type { Db } from "../db/client.js";
import { drills } from "../db/schema.js";
import { notFound } from "../http/errors.js";
import { iso } from "../lib/time.js";

/** A drills row. */
export type DrillRow = typeof drills.$inferSelect;

/** A drill as the API answers it (the wire's Drill). */
export const drillView = (d: DrillRow): Drill => ({
  id: d.id,
  jobId: d.jobId,
  databaseId: d.databaseId,
  backupId: d.backupId,
  trigger: d.trigger,
  slotAt: iso(d.slotAt),
  status: d.status,
  attempt: d.attempt,
  runnerId: d.runnerId,
  target: d.target,
  maxRtoSeconds: d.maxRtoSeconds,
  rtoMs: d.rtoMs,
  tables: d.tablesTotal === null ? null : { matched: d.tablesMatched ?? 0, total: d.tablesTotal },
  reason: d.reason,
  receipt: d.receipt === null ? null : (JSON.parse(d.receipt) as DsseEnvelope),
  receiptSha256: d.receiptSha256,
  runnerVkey: d.runnerVkey,
  createdAt: iso(d.createdAt),
  finishedAt: iso(d.finishedAt),
});

/** One drill of the org, or a 404. */
export async function findDrill(db: Db, orgId: string, id: string): Promise<DrillRow> {
  const row = await db.query.drills.findFirst({ where: and(eq(drills.id, id), eq(drills.orgId, orgId)) });
  if (!row) throw notFound("drill");
  return row;
}
