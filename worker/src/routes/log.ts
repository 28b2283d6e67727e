import { Hono } from "hono";
import {
  ConsistencyProofQuerySchema,
  ConsistencyProofSchema,
  InclusionProofQuerySchema,
  InclusionProofSchema,
  LogCheckpointSchema,
  LogEntriesPageSchema,
  LogEntriesQuerySchema,
  LogSeq,
} from "@walwarden/verifier/wire";
import { requireRole } from "../auth/middleware.js";
import type { AppEnv } from "../http/app-env.js";
import { reply } from "../http/reply.js";
import { param, query } from "../http/validate.js";
import { ledgerOf, unwrapLedger } from "../ledger/client.js";

/**
 * The org's audit log: entries (from D1's copy, exact stored bytes), the newest checkpoint, checkpoints at
 * earlier sizes, and inclusion and consistency proofs (from the Ledger, the original).
 */
export const logRoutes = new Hono<AppEnv>()
  .use(requireRole("viewer"))
  .get("/entries", async (c) => {
    const q = query(c, LogEntriesQuerySchema);
    const orgId = c.get("principal").orgId;
    unwrapLedger(await ledgerOf(c.env, orgId).syncMirror(orgId));
    const { results } = await c.env.DB.prepare(
      `SELECT seq, entry FROM log_entries WHERE org_id = ?1 AND seq > ?2 AND (?3 IS NULL OR type = ?3) AND (?4 IS NULL OR subject = ?4) ORDER BY seq LIMIT ?5`,
    )
      .bind(orgId, q.after ?? -1, q.type ?? null, q.subject ?? null, q.limit + 1)
      .all<{ seq: number; entry: string }>();
    const items = results.slice(0, q.limit);
    return reply(c, LogEntriesPageSchema, {
      entries: items.map((r) => r.entry),
      nextAfter: results.length > q.limit ? (items.at(-1)?.seq ?? null) : null,
    });
  })
  .get("/checkpoint", async (c) => {
    const orgId = c.get("principal").orgId;
    return reply(c, LogCheckpointSchema, unwrapLedger(await ledgerOf(c.env, orgId).checkpoint(orgId)));
  })
  .get("/checkpoints/:size", async (c) => {
    const orgId = c.get("principal").orgId;
    const size = param(c, "size", LogSeq);
    return c.text(unwrapLedger(await ledgerOf(c.env, orgId).checkpointAt(orgId, size)));
  })
  .get("/proofs/inclusion", async (c) => {
    const q = query(c, InclusionProofQuerySchema);
    const orgId = c.get("principal").orgId;
    return reply(
      c,
      InclusionProofSchema,
      unwrapLedger(await ledgerOf(c.env, orgId).inclusion(orgId, q.seq, q.treeSize)),
    );
  })
  .get("/proofs/consistency", async (c) => {
    const q = query(c, ConsistencyProofQuerySchema);
    const orgId = c.get("principal").orgId;
    return reply(c, ConsistencyProofSchema, {
      from: q.from,
      to: q.to,
      hashes: unwrapLedger(await ledgerOf(c.env, orgId).consistency(orgId, q.from, q.to)),
    });
  });
