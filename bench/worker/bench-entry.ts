// The bench Worker (bench/wrangler.bench.toml): the real Walwarden Worker, unchanged, plus /__bench/* routes
// that only bench/cron-tick.mjs and bench/ledger-append.mjs call. Local only; never deployed. Every route
// drives the real code (the Ledger Durable Object through its RPC methods, the real D1 mirror, the real
// signing keys); none of it changes what the Worker does on its own routes or in its cron.
import type { DeliveryMessage } from "../../worker/src/alerts/notify.js";
import { Id, signCheckpoint } from "@walwarden/verifier";
import worker from "../../worker/src/index.js";
import type { Env } from "../../worker/src/env.js";
import { appendToLog, ledgerOf } from "../../worker/src/ledger/client.js";
import { signingKeys } from "../../worker/src/ledger/keys.js";
import { mirrorToD1 } from "../../worker/src/ledger/mirror.js";

export { Ledger } from "../../worker/src/index.js";
export { RateLimiter } from "../../worker/src/index.js";
export { RestoreSession } from "../../worker/src/index.js";

/** Largest n one request takes (a request runs its n calls one after another). */
const MAX_N = 1_000_000;

class BadRequest extends Error {}

function orgParam(url: URL): string {
  const org = url.searchParams.get("org") ?? "";
  if (!Id.safeParse(org).success)
    throw new BadRequest(`org must be an id (letters, digits, _ . : -), got ${JSON.stringify(org)}`);
  return org;
}

function nParam(url: URL): number {
  const n = Number(url.searchParams.get("n"));
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_N) throw new BadRequest(`n must be an integer from 1 to ${MAX_N}`);
  return n;
}

function tagParam(url: URL): string {
  const tag = url.searchParams.get("tag") ?? "t";
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(tag)) throw new BadRequest("tag must be 1-40 letters, digits, _ or -");
  return tag;
}

/** A valid backup.scheduled event, unique per (tag, i), with a millisecond slot as the cron writes it. */
function scheduledEvent(tag: string, i: number) {
  const jobId = `job.bench.${tag}.${i}`;
  return {
    key: `bench:${tag}:${i}`,
    type: "backup.scheduled" as const,
    actor: "system:cron",
    subject: "database:db_bench",
    data: {
      jobId,
      scheduleId: null,
      databaseId: "db_bench",
      slot: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    },
  };
}

/**
 * POST /__bench/append?org&n&mode&tag[&events]: n sequential RPCs to the org's Ledger. mode=append: one
 * `append(org, [event])` each (entry write, subtree roots, consistency check, checkpoint signature; the D1
 * copy follows in the background), or `events` events per append (default 1); mode=checkpoint: one `checkpoint(org)` each, which
 * returns the stored checkpoint without signing (a bare RPC round trip to the same object, the baseline).
 * `ms` is Date.now() around the loop: workerd's clock advances across I/O, and every iteration awaits an RPC.
 */
async function append(env: Env, url: URL): Promise<Response> {
  const org = orgParam(url);
  const n = nParam(url);
  const mode = url.searchParams.get("mode");
  if (mode !== "append" && mode !== "checkpoint") throw new BadRequest("mode must be append or checkpoint");
  const tag = tagParam(url);
  const k = Number(url.searchParams.get("events") ?? "1");
  if (!Number.isSafeInteger(k) || k < 1 || k > 1000) throw new BadRequest("events must be an integer from 1 to 1000");
  const ledger = ledgerOf(env, org);
  let treeSize = 0;
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const events = Array.from({ length: k }, (_, j) => scheduledEvent(tag, i * k + j));
    const r = mode === "append" ? await ledger.append(org, events) : await ledger.checkpoint(org);
    if (!r.ok) return Response.json({ error: `ledger ${mode} refused: ${r.code}: ${r.message}` }, { status: 500 });
    treeSize = r.value.treeSize;
  }
  return Response.json({ n, ms: Date.now() - t0, treeSize });
}

/**
 * POST /__bench/sign?n: n checkpoint signatures with the Worker's checkpoint key and the same code the Ledger
 * uses, with no I/O: workerd's clock does not advance, so the caller times the request.
 */
function sign(env: Env, url: URL): Response {
  const n = nParam(url);
  const keys = signingKeys(env);
  if (!keys.ok) return Response.json({ error: keys.message }, { status: 500 });
  const root = new Uint8Array(32);
  for (let i = 0; i < n; i++) {
    root[i % 32] = (root[i % 32]! + 1) & 0xff;
    const note = signCheckpoint(
      { origin: `${env.LOG_ORIGIN}/org_bench_sign`, size: i + 1, rootHash: root },
      keys.value.checkpoint,
    );
    if (!note.ok) return Response.json({ error: note.message }, { status: 500 });
  }
  return Response.json({ n });
}

/** POST /__bench/mirror?org&n&tag: n sequential one-entry D1 mirror writes (what each append ends with). */
async function mirror(env: Env, url: URL): Promise<Response> {
  const org = orgParam(url);
  const n = nParam(url);
  const tag = tagParam(url);
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const e = scheduledEvent(tag, i);
    const entry = JSON.stringify({
      v: 1,
      seq: i,
      type: e.type,
      at: new Date().toISOString(),
      actor: e.actor,
      subject: e.subject,
      data: e.data,
    });
    await mirrorToD1(env.DB, org, [entry]);
  }
  return Response.json({ n, ms: Date.now() - t0 });
}

async function bench(request: Request, env: Env, url: URL): Promise<Response> {
  const route = `${request.method} ${url.pathname}`;
  switch (route) {
    // What creating an org does to its log (orgs/create-org.ts): start it, registering the signing keys.
    case "POST /__bench/start-log": {
      const org = orgParam(url);
      return Response.json({ treeSize: (await appendToLog(env, org, [])).treeSize });
    }
    case "POST /__bench/append":
      return append(env, url);
    case "POST /__bench/sign":
      return sign(env, url);
    case "POST /__bench/mirror":
      return mirror(env, url);
    case "GET /__bench/checkpoint": {
      // Also waits for the background D1 copy, so the bench can count D1's entries afterwards.
      const org = orgParam(url);
      const synced = await ledgerOf(env, org).syncMirror(org);
      if (!synced.ok) return Response.json({ error: `${synced.code}: ${synced.message}` }, { status: 500 });
      const r = await ledgerOf(env, org).checkpoint(org);
      return r.ok ? Response.json(r.value) : Response.json({ error: `${r.code}: ${r.message}` }, { status: 500 });
    }
    default:
      return Response.json({ error: `no bench route ${route}` }, { status: 404 });
  }
}

/** The real Worker, with /__bench/* in front of its fetch handler; its scheduled and queue handlers untouched. */
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (!url.pathname.startsWith("/__bench/")) return worker.fetch(request, env, ctx);
    try {
      return await bench(request, env, url);
    } catch (e) {
      const status = e instanceof BadRequest ? 400 : 500;
      return Response.json({ error: e instanceof Error ? e.message : String(e) }, { status });
    }
  },
  scheduled: worker.scheduled,
  queue: worker.queue,
} satisfies ExportedHandler<Env, DeliveryMessage>;
