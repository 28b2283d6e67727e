import { Hono, type Context } from "hono";
import { and, eq } from "drizzle-orm";
import { Id } from "@walwarden/verifier";
import {
  CancelRestoreResponseSchema,
  ClaimRestoreRequestSchema,
  ClaimRestoreResponseSchema,
  IssueRestoreRequestSchema,
  IssueRestoreResponseSchema,
  ListRestoresQuerySchema,
  ProgressRequestSchema,
  ProgressResponseSchema,
  RestorePageSchema,
  RestoreSecret,
  RestoreViewSchema,
  TransitionRequestSchema,
  TransitionResponseSchema,
  type Restore,
} from "@walwarden/verifier/wire";
import { actorOf } from "../auth/principal.js";
import { requireRole } from "../auth/middleware.js";
import { dbOf } from "../db/client.js";
import { restores } from "../db/schema.js";
import { ApiError, notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { orgPage } from "../http/pagination.js";
import { reply } from "../http/reply.js";
import { jsonBody, param, query } from "../http/validate.js";
import { sha256Hex } from "../lib/crypto.js";
import { iso } from "../lib/time.js";
import { clientAddress } from "../ratelimit/client.js";
import { countKnownToken, countUnknownToken } from "../restores/claim-limits.js";
import { claimRestore, type RestoreRow, restoreByToken } from "../restores/claim-restore.js";
import { issueRestore, restoreCommand } from "../restores/issue-restore.js";
import { restoreNames } from "../restores/restore-names.js";
import { sessionOf, unwrapSession } from "../restores/session-client.js";
import { VIEWER_HEADER } from "../restores/sse-limits.js";

/** A D1 row as listed, without the names (added per page by restoreNames). */
const view = (r: RestoreRow): Omit<Restore, "databaseName" | "issuedByName"> => ({
  id: r.id,
  backupId: r.backupId,
  databaseId: r.databaseId,
  state: r.state,
  issuedBy: r.issuedBy,
  issuedAt: iso(r.issuedAt),
  expiresAt: iso(r.expiresAt),
  claimedAt: iso(r.claimedAt),
  finishedAt: iso(r.finishedAt),
  dryRun: r.dryRun,
  failure: r.failureStage ? { stage: r.failureStage, reason: r.failureReason ?? "" } : null,
});

/** The org's restore row, or 404 (the same for another org's). */
async function ownRestore(c: Context<AppEnv>): Promise<RestoreRow> {
  const row = await dbOf(c.env.DB).query.restores.findFirst({
    where: and(eq(restores.id, param(c, "id", Id)), eq(restores.orgId, c.get("principal").orgId)),
  });
  if (!row) throw notFound("restore");
  return row;
}

/** The CLI's progress credential from `Authorization: Bearer wwp_…`. */
function progressCredential(c: Context<AppEnv>): string {
  const m = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "");
  if (!m || !RestoreSecret.safeParse(m[1]).success || !m[1]!.startsWith("wwp_"))
    throw new ApiError(
      401,
      "unauthenticated",
      "send the restore's progress credential (from the claim) as Authorization: Bearer wwp_…",
    );
  return m[1]!;
}

/**
 * Restores. Operators issue them (the one-time token is in that answer only) and may cancel one no CLI has
 * claimed yet; the CLI claims with the
 * token and reports transitions and progress with the per-restore credential it got; viewers list them,
 * read their history and follow them live over Server-Sent Events.
 */
export const restoreRoutes = new Hono<AppEnv>()
  .post("/claim", async (c) => {
    const body = await jsonBody(c, ClaimRestoreRequestSchema);
    if (!body.token.startsWith("wwo_"))
      throw new ApiError(400, "bad-request", "invalid body: token: a restore token starts with wwo_");
    const sha256 = await sha256Hex(body.token);
    const row = await restoreByToken(c.env, sha256);
    // Nothing unauthenticated writes to an org's log unless the token is one of that org's: an unknown token
    // is counted against the sender's address and refused, never logged.
    const limited = row ? await countKnownToken(c.env, sha256) : await countUnknownToken(c.env, clientAddress(c));
    if (!limited.allowed) {
      c.header("retry-after", String(limited.retryAfterSeconds));
      throw new ApiError(429, "rate-limited", limited.message);
    }
    if (!row) throw new ApiError(404, "unknown-token", "no restore has this token; check you copied the whole command");
    const claimed = await claimRestore(
      c.env,
      row,
      { sha256, orgId: body.orgId, clientVersion: body.clientVersion },
      Date.now(),
    );
    if (claimed.ok) return reply(c, ClaimRestoreResponseSchema, claimed.value);
    if (claimed.code === "no-credential" || claimed.code === "sealed")
      throw new ApiError(503, "unavailable", claimed.message);
    return unwrapSession({ ok: false, code: claimed.code, message: claimed.message });
  })
  .post("/:id/transition", async (c) => {
    const credential = progressCredential(c);
    const id = param(c, "id", Id);
    const body = await jsonBody(c, TransitionRequestSchema);
    const t = unwrapSession(await sessionOf(c.env, id).transition(credential, body, Date.now()));
    return reply(c, TransitionResponseSchema, { state: t.state, seq: t.seq });
  })
  .post("/:id/progress", async (c) => {
    const credential = progressCredential(c);
    const id = param(c, "id", Id);
    const body = await jsonBody(c, ProgressRequestSchema);
    unwrapSession(await sessionOf(c.env, id).progress(credential, body, Date.now()));
    return reply(c, ProgressResponseSchema, {}, 202);
  })
  .post("/", requireRole("operator"), async (c) => {
    const body = await jsonBody(c, IssueRestoreRequestSchema);
    const p = c.get("principal");
    const issued = await issueRestore(c.env, p.orgId, actorOf(p), body.backupId, Date.now());
    if (!issued.ok) {
      if (issued.code === "not-found") throw notFound("backup");
      if (issued.code === "no-credential" || issued.code === "expired")
        throw new ApiError(409, "conflict", issued.message);
      throw new ApiError(503, "unavailable", issued.message);
    }
    const api = (c.env.PUBLIC_API_URL ?? new URL(c.req.url).origin).replace(/\/+$/, "");
    const { restoreId, token, expiresAt } = issued.value;
    return reply(
      c,
      IssueRestoreResponseSchema,
      {
        restoreId,
        token,
        expiresAt: iso(expiresAt),
        command: restoreCommand(api, p.orgId, token, { dryRun: body.dryRun === true }),
      },
      201,
    );
  })
  .post("/:id/cancel", requireRole("operator"), async (c) => {
    const row = await ownRestore(c);
    const t = unwrapSession(await sessionOf(c.env, row.id).cancel(actorOf(c.get("principal")), Date.now()));
    return reply(c, CancelRestoreResponseSchema, { state: t.state, seq: t.seq });
  })
  .get("/", requireRole("viewer"), async (c) => {
    const q = query(c, ListRestoresQuerySchema);
    const orgId = c.get("principal").orgId;
    const page = await orgPage(
      dbOf(c.env.DB),
      restores,
      orgId,
      q,
      view,
      q.databaseId ? eq(restores.databaseId, q.databaseId) : undefined,
    );
    const names = await restoreNames(c.env, orgId, page.items);
    return reply(c, RestorePageSchema, { ...page, items: page.items.map((r) => ({ ...r, ...names(r) })) });
  })
  .get("/:id", requireRole("viewer"), async (c) => {
    const row = await ownRestore(c);
    const { orgId: _org, ...detail } = await sessionOf(c.env, row.id).view();
    const names = await restoreNames(c.env, row.orgId, [detail]);
    return reply(c, RestoreViewSchema, { ...detail, ...names(detail) });
  })
  .get("/:id/events", requireRole("viewer"), async (c) => {
    const row = await ownRestore(c);
    // The session caps streams per principal, so it is told whose this one is.
    const headers = new Headers({ [VIEWER_HEADER]: actorOf(c.get("principal")) });
    const last = c.req.header("last-event-id");
    if (last) headers.set("last-event-id", last);
    const res = await sessionOf(c.env, row.id).fetch(
      new Request(`https://restore-session/${row.id}/events`, { headers, signal: c.req.raw.signal }),
    );
    // A Durable Object's response has immutable headers; re-wrap it so the app's security headers apply.
    return new Response(res.body, res);
  });
