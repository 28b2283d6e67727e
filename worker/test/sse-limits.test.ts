import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ApiErrorSchema } from "@walwarden/verifier/wire";
import { MAX_STREAMS_PER_PRINCIPAL } from "../src/restores/sse-limits.js";
import type { SseHub } from "../src/restores/sse-hub.js";
import { claimed, progress, readyOrg, report, viewerTokens } from "./support/restore-calls.js";
import { parseSse, readEvents, subscribe } from "./support/sse.js";
import { ARTIFACT_SHA256 } from "./support/backup-result.js";

// The limits on a restore's live viewers, through the real Worker in workerd: a cap per principal, a slot
// freed as soon as its reader goes, a stalled reader dropped once it is too far behind (and resuming with
// Last-Event-ID), and nothing kept for a viewer that left.

/** The events response as it comes, a stream or a refusal (never read to its end, so a stream on main cannot hang the test). */
const open = (restoreId: string, token: string) =>
  SELF.fetch(`https://walwarden.test/v1/restores/${restoreId}/events`, {
    headers: { authorization: `Bearer ${token}` },
  });

/** The session's hub, read inside the Durable Object. */
async function hubOf<T>(restoreId: string, read: (hub: SseHub) => T): Promise<T> {
  const stub = env.RESTORE_SESSION.get(env.RESTORE_SESSION.idFromName(restoreId));
  return runInDurableObject(stub, (instance) => read((instance as unknown as { hub: SseHub }).hub));
}

/** Waits until `check` holds, polling every 50 ms; how long it took, or undefined past `ms`. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 <= ms) {
    if (await check()) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

/** A progress report with a long detail (about 400 bytes as an event), numbered `i`. */
const bulky = (i: number) => ({
  phase: "downloading",
  bytes: i,
  totalBytes: 1_000_000,
  bytesPerSecond: 1,
  detail: `${i} `.padEnd(300, "x"),
});

describe("live viewers per principal", () => {
  it(`one token holds at most ${MAX_STREAMS_PER_PRINCIPAL} streams of a restore: the next is 429 with Retry-After while another token still gets in`, async () => {
    const org = await readyOrg();
    const { restoreId } = await claimed(org);
    const [other] = await viewerTokens(org, 1);
    const mine = await Promise.all(
      Array.from({ length: MAX_STREAMS_PER_PRINCIPAL }, () => subscribe(restoreId, org.viewerToken)),
    );
    const over = await open(restoreId, org.viewerToken);
    if (over.status === 200) await over.body!.cancel();
    expect(over.status).toBe(429);
    expect(ApiErrorSchema.parse(await over.json()).error.code).toBe("rate-limited");
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    const theirs = await subscribe(restoreId, other!);
    for (const s of [...mine, theirs]) await s.body!.cancel();
  });
});

describe("a viewer that leaves", () => {
  it("frees its slot within 2 s of cancelling (long before a heartbeat), and leaves nothing behind in the session", async () => {
    const org = await readyOrg();
    const { restoreId } = await claimed(org);
    const heartbeatMs = Number(env.RESTORE_SSE_HEARTBEAT_SECONDS) * 1000;
    const streams = await Promise.all(
      Array.from({ length: MAX_STREAMS_PER_PRINCIPAL }, () => subscribe(restoreId, org.viewerToken)),
    );
    const full = await open(restoreId, org.viewerToken);
    await full.body!.cancel();
    expect(full.status).toBe(429);
    await streams[0]!.body!.cancel();
    let again: Response | undefined;
    const freedMs = await within(2000, async () => {
      const res = await open(restoreId, org.viewerToken);
      if (res.status === 200) again = res;
      else await res.body?.cancel();
      return res.status === 200;
    });
    expect(freedMs, "the slot was not free within 2 s").toBeDefined();
    expect(freedMs!).toBeLessThan(heartbeatMs);
    for (const s of [...streams.slice(1), again!]) await s.body!.cancel();
    const empty = await within(2000, () => hubOf(restoreId, (h) => h.size === 0 && h.principals === 0 && !h.beating));
    expect(empty, "the session still holds viewers, counts or its heartbeat after every viewer left").toBeDefined();
  });
});

describe("a stalled reader", () => {
  /** A claimed restore at downloading with a normal reader (reading all along) and a stalled one (never read) dropped by bulky progress. */
  async function stalledAndDropped() {
    const org = await readyOrg();
    const { restoreId, claim: c } = await claimed(org);
    const [reader] = await viewerTokens(org, 1);
    const stalled = await subscribe(restoreId, org.viewerToken);
    const normal = readEvents(await subscribe(restoreId, reader!));
    expect((await report(restoreId, c.progressToken, { state: "downloading" })).status).toBe(200);
    let sent = 0;
    // 64 KiB behind is about 160 of these (the streams between the session and this test buffer little more): 600 is plenty.
    // A stalled reader that is never dropped slows every post (on main 550 took a minute): stop after 20 s.
    const until = Date.now() + 20_000;
    while (sent < 600 && Date.now() < until && (await hubOf(restoreId, (h) => h.size)) === 2)
      for (const end = sent + 25; sent < end; ) {
        const a = await progress(restoreId, c.progressToken, bulky(sent++));
        expect(a.status, JSON.stringify(a.body)).toBe(202);
      }
    return { org, restoreId, c, stalled, normal, sent, viewers: await hubOf(restoreId, (h) => h.size) };
  }

  it("is dropped (its stream ends) once it is too far behind, while a normal reader gets every event", async () => {
    const { restoreId, c, stalled, normal, sent, viewers } = await stalledAndDropped();
    expect(viewers, `the stalled reader was not dropped after ${sent} progress events`).toBe(1);
    // Its stream ends: what was already on its way, then the end (no wait for a terminal state).
    const got = parseSse(await stalled.text());
    expect(got.filter((e) => e.event === "progress").length).toBeLessThan(sent);
    for (const s of [
      { state: "verifying", sha256: ARTIFACT_SHA256 },
      { state: "completed", dryRun: true },
    ])
      expect((await report(restoreId, c.progressToken, s)).status).toBe(200);
    const all = await normal;
    expect(all.filter((e) => e.event === "progress").map((e) => JSON.parse(e.data).bytes)).toEqual(
      Array.from({ length: sent }, (_, i) => i),
    );
    expect(all.filter((e) => e.event === "transition").map((e) => e.id)).toEqual(["1", "2", "3", "4", "5"]);
  });

  it("reconnects with Last-Event-ID and is replayed every transition it missed, once", async () => {
    const { org, restoreId, c, stalled, normal, sent, viewers } = await stalledAndDropped();
    expect(viewers, `the stalled reader was not dropped after ${sent} progress events`).toBe(1);
    const got = parseSse(await stalled.text());
    const lastId = got.filter((e) => e.id !== undefined).at(-1)?.id ?? "0";
    for (const s of [{ state: "verifying", sha256: ARTIFACT_SHA256 }, { state: "restoring" }])
      expect((await report(restoreId, c.progressToken, s)).status).toBe(200);
    const resumed = readEvents(await subscribe(restoreId, org.viewerToken, lastId));
    await within(2000, () => hubOf(restoreId, (h) => h.size === 2));
    expect((await report(restoreId, c.progressToken, { state: "completed", dryRun: false })).status).toBe(200);
    const ids = (await resumed).filter((e) => e.event === "transition").map((e) => e.id);
    const expected = (await normal).filter((e) => e.event === "transition" && Number(e.id) > Number(lastId));
    // It missed verifying (4) and restoring (5), reported while it was away; it gets those and what follows.
    expect(ids).toContain("4");
    expect(ids).toEqual(expected.map((e) => e.id));
  });
});
