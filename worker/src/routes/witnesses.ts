import { Hono } from "hono";
import { and, asc, count, eq } from "drizzle-orm";
import { parseCosignerVkey } from "@walwarden/verifier";
import {
  MAX_WITNESSES,
  WitnessListSchema,
  WitnessName,
  WitnessRequestSchema,
  WitnessSchema,
} from "@walwarden/verifier/wire";
import { allowLoopback } from "../alerts/channel-target.js";
import { logAdminAction } from "../audit/log-admin-action.js";
import { requireRole } from "../auth/middleware.js";
import { actorOf } from "../auth/principal.js";
import { dbOf } from "../db/client.js";
import { witnesses } from "../db/schema.js";
import { runnerKeyDeployment } from "../drills/runner-key.js";
import type { Env } from "../env.js";
import { ApiError, notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { reply } from "../http/reply.js";
import { jsonBody, param } from "../http/validate.js";
import { sha256Hex } from "../lib/crypto.js";
import { newId } from "../lib/ids.js";
import { checkWitnessUrl } from "../witness/external-url.js";
import { type WitnessRow, witnessViews } from "../witness/external-view.js";
import { runnerWitnessViews } from "../witness/runner-view.js";

const bad = (field: string, message: string) => new ApiError(400, "bad-request", `invalid body: ${field}: ${message}`);

/** The witness `name` of the org, or undefined. */
async function witnessOf(env: Env, orgId: string, name: string): Promise<WitnessRow | undefined> {
  return dbOf(env.DB).query.witnesses.findFirst({
    where: and(eq(witnesses.orgId, orgId), eq(witnesses.name, name)),
  });
}

/**
 * The org's external witnesses (SPEC §13): anyone in the org sees them and their lag; admins add, change and
 * remove them. Every change is logged before it applies (`witness.added`, `witness.removed`, the URL only as
 * its SHA-256); the same URL and key again change and log nothing. The cron tick pushes to them
 * (witness/external-tick.ts). The list also answers the org's runners as witnesses, with their lag
 * (witness/runner-view.ts).
 */
export const witnessRoutes = new Hono<AppEnv>()
  .get("/", requireRole("viewer"), async (c) => {
    const orgId = c.get("principal").orgId;
    const rows = await dbOf(c.env.DB)
      .select()
      .from(witnesses)
      .where(eq(witnesses.orgId, orgId))
      .orderBy(asc(witnesses.name))
      .limit(MAX_WITNESSES);
    const now = Date.now();
    const [items, runnerItems] = await Promise.all([
      witnessViews(c.env, orgId, rows, now),
      runnerWitnessViews(c.env, orgId, now),
    ]);
    return reply(c, WitnessListSchema, { items, runners: runnerItems });
  })
  .put("/:name", requireRole("admin"), async (c) => {
    const name = param(c, "name", WitnessName);
    const body = await jsonBody(c, WitnessRequestSchema);
    const p = c.get("principal");
    const key = parseCosignerVkey(body.vkey);
    if (!key.ok) throw bad("vkey", key.message);
    if (key.value.name !== name)
      throw bad(
        "vkey",
        `its key name ${JSON.stringify(key.value.name)} is not the witness's name ${JSON.stringify(name)}`,
      );
    // The Ledger keeps cosignatures by key name: a witness may not take a runner's (SPEC §13).
    if (name.startsWith(`${runnerKeyDeployment(c.env, p.orgId)}/runner/`))
      throw bad("vkey", "its key name is a runner's (<deployment>/runner/<id>): runners witness without configuration");
    const url = checkWitnessUrl(body.url, { allowLoopback: allowLoopback(c.env) });
    if (!url.ok) throw bad("url", url.message);
    const href = url.value.href;

    const db = dbOf(c.env.DB);
    const existing = await witnessOf(c.env, p.orgId, name);
    if (existing && existing.url === href && existing.vkey === body.vkey) {
      const [view] = await witnessViews(c.env, p.orgId, [existing], Date.now());
      return reply(c, WitnessSchema, view!);
    }
    if (!existing) {
      const [n] = await db.select({ n: count() }).from(witnesses).where(eq(witnesses.orgId, p.orgId));
      if ((n?.n ?? 0) >= MAX_WITNESSES)
        throw new ApiError(
          409,
          "conflict",
          `the org has ${MAX_WITNESSES} witnesses, the most it may: remove one first`,
        );
    }
    const now = Date.now();
    const id = existing?.id ?? newId("wit", now);
    await logAdminAction(c.env, p.orgId, {
      type: "witness.added",
      actor: actorOf(p),
      subject: `witness:${id}`,
      data: {
        witnessId: id,
        name,
        vkey: body.vkey,
        urlSha256: await sha256Hex(href),
        replaced: existing !== undefined,
      },
    });
    if (existing) {
      // Another key is another witness: what the old one cosigned says nothing of it, so its state starts over.
      const reset =
        existing.vkey === body.vkey
          ? {}
          : { cosignedSize: 0, lastAttemptAt: null, lastSuccessAt: null, lastError: null, failures: 0 };
      const updated = await db
        .update(witnesses)
        .set({ url: href, vkey: body.vkey, updatedAt: now, ...reset })
        .where(and(eq(witnesses.id, existing.id), eq(witnesses.updatedAt, existing.updatedAt)))
        .returning();
      if (updated.length === 0)
        throw new ApiError(409, "conflict", "the witness changed meanwhile: read it and try again");
      const [view] = await witnessViews(c.env, p.orgId, updated, now);
      return reply(c, WitnessSchema, view!);
    }
    const created = await db
      .insert(witnesses)
      .values({ id, orgId: p.orgId, name, url: href, vkey: body.vkey, createdAt: now, updatedAt: now })
      .onConflictDoNothing()
      .returning();
    if (created.length === 0)
      throw new ApiError(409, "conflict", "the witness was added meanwhile: read it and try again");
    const [view] = await witnessViews(c.env, p.orgId, created, now);
    return reply(c, WitnessSchema, view!, 201);
  })
  .delete("/:name", requireRole("admin"), async (c) => {
    const name = param(c, "name", WitnessName);
    const p = c.get("principal");
    const existing = await witnessOf(c.env, p.orgId, name);
    if (!existing) throw notFound("witness");
    await logAdminAction(c.env, p.orgId, {
      type: "witness.removed",
      actor: actorOf(p),
      subject: `witness:${existing.id}`,
      data: { witnessId: existing.id, name, vkey: existing.vkey },
      onceKey: `witness-removed:${existing.id}`,
    });
    await dbOf(c.env.DB).delete(witnesses).where(eq(witnesses.id, existing.id));
    return c.body(null, 204);
  });
