import { Hono } from "hono";
import { decodeEntry, utf8, type LogEntryOf } from "@walwarden/verifier";
import {
  EvidenceExportListSchema,
  EvidenceExportRequestSchema,
  PageQuerySchema,
  type EvidenceExport,
} from "@walwarden/verifier/wire";
import { actorOf } from "../auth/principal.js";
import { requireRole } from "../auth/middleware.js";
import { exportEvidence } from "../evidence/export-evidence.js";
import { ApiError } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { reply } from "../http/reply.js";
import { jsonBody, query } from "../http/validate.js";
import { ledgerOf, unwrapLedger } from "../ledger/client.js";

/** `20261101T000000.000Z`: an instant without the characters file systems dislike. */
const compact = (instant: string) => instant.replace(/[-:]/g, "");

/**
 * Evidence bundles for auditors (viewer and up: auditors get viewer accounts; exporting changes nothing
 * but the log, which records who exported what). POST exports the org's log entries timestamped in
 * [from, to) as a zip that `walwarden-verify bundle` checks offline; GET lists past exports from the log.
 */
export const evidenceRoutes = new Hono<AppEnv>()
  .use(requireRole("viewer"))
  .post("/", async (c) => {
    const request = await jsonBody(c, EvidenceExportRequestSchema);
    const principal = c.get("principal");
    const r = await exportEvidence(c.env, principal.orgId, actorOf(principal), request);
    if (!r.ok)
      throw r.code === "too-large"
        ? new ApiError(413, "payload-too-large", r.message)
        : new ApiError(400, "bad-request", r.message);
    const { exportId, period, zip } = r.value;
    const name = `walwarden-evidence-${principal.orgId.replace(/[^A-Za-z0-9_.-]/g, "_")}-${compact(period.from)}-${compact(period.to)}.zip`;
    return c.body(zip as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
      "x-walwarden-export-id": exportId,
      "x-walwarden-log-window": `${r.value.window.start}-${r.value.window.end}/${r.value.window.head}`,
    });
  })
  .get("/", async (c) => {
    const q = query(c, PageQuerySchema);
    const orgId = c.get("principal").orgId;
    unwrapLedger(await ledgerOf(c.env, orgId).syncMirror(orgId));
    const before = q.cursor === undefined ? Number.MAX_SAFE_INTEGER : Number(q.cursor);
    if (!Number.isSafeInteger(before))
      throw new ApiError(400, "bad-request", "invalid query: cursor: not a cursor from this list");
    const { results } = await c.env.DB.prepare(
      "SELECT seq, entry FROM log_entries WHERE org_id = ?1 AND type = 'evidence.exported' AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
    )
      .bind(orgId, before, q.limit + 1)
      .all<{ seq: number; entry: string }>();
    const items = results.slice(0, q.limit).map((r): EvidenceExport => {
      const e = decodeEntry(utf8(r.entry));
      if (!e.ok) throw new Error(`log entry ${r.seq} of ${orgId} does not decode: ${e.message}`);
      const { data, seq, at, actor } = e.value as LogEntryOf<"evidence.exported">;
      return { ...data, seq, at, actor };
    });
    return reply(c, EvidenceExportListSchema, {
      items,
      nextCursor: results.length > q.limit ? String(items.at(-1)!.seq) : null,
    });
  });
