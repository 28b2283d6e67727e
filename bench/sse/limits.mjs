// The live-viewer limits, measured for bench/sse.mjs against the Worker under wrangler's dev server: workerd
// memory before, with and after N viewers; how soon a disconnected viewer's slot is free; normal readers'
// p99 with and without stalled readers; refusals past the per-principal cap. docs/benchmarks.md#sse.
import { readFileSync } from "node:fs";
import { createApiToken, reportProgress, reportTransition } from "@walwarden/testing/api";
import { SseRefused, openSse } from "@walwarden/testing/sse-client";

/** worker/src/restores/sse-limits.ts MAX_STREAMS_PER_PRINCIPAL. */
export const PER_PRINCIPAL = 4;
/** worker/src/restores/sse-limits.ts MAX_BACKLOG_BYTES. */
export const MAX_BACKLOG_BYTES = 64 * 1024;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** VmRSS in MiB of each workerd process (runtime, proxy) and their sum. */
export function workerdRss(dev) {
  const out = { total: 0 };
  for (const w of dev.workerds()) {
    let kb = 0;
    try {
      kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${w.pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {}
    out[w.role] = (out[w.role] ?? 0) + kb / 1024;
    out.total += kb / 1024;
  }
  return out;
}

/** Viewer API tokens, made as needed: each is its own principal, so N viewers need N / PER_PRINCIPAL of them. */
export function principals(dev, cookie) {
  const tokens = [];
  return {
    /** The first `n` tokens. */
    async take(n) {
      while (tokens.length < n) {
        const batch = Math.min(8, n - tokens.length);
        const made = await Promise.all(
          Array.from({ length: batch }, (_, i) => createApiToken(dev, cookie, `bench viewer ${tokens.length + i}`)),
        );
        tokens.push(...made.map((t) => t.token));
      }
      return tokens.slice(0, n);
    },
    /** The headers of the i-th of `n` viewers spread PER_PRINCIPAL to a token, starting at token `from`. */
    headers(i, from = 0) {
      return { authorization: `Bearer ${tokens[from + Math.floor(i / PER_PRINCIPAL)]}` };
    },
  };
}

/** Opens a stream; a refusal is a value ({ refused: status, retryAfter }), not an exception. */
export async function tryOpen(url, options) {
  try {
    return { stream: await openSse(url, options) };
  } catch (e) {
    if (e instanceof SseRefused) return { refused: e.status, retryAfter: e.headers["retry-after"] };
    throw e;
  }
}

/** Polls with `headers` until a stream opens: ms from `t0` and the stream (closed unless `keep`), or undefined past `timeoutMs`. */
async function untilAdmitted(url, headers, t0, timeoutMs, keep = false) {
  while (performance.now() - t0 < timeoutMs) {
    const a = await tryOpen(url, { headers });
    if (a.stream) {
      const ms = performance.now() - t0;
      if (!keep) a.stream.close();
      return { ms, stream: a.stream };
    }
    await sleep(25);
  }
  return undefined;
}

/** One token asks for `attempts` streams at once: how many it got, how many were 429 (with Retry-After), and whether another token still gets in. */
export async function perPrincipalRefusals({ eventsUrl, restoreId, pool, attempts }) {
  const [mine, other] = await pool.take(2);
  const url = eventsUrl(restoreId);
  const tries = await Promise.all(
    Array.from({ length: attempts }, () => tryOpen(url, { headers: { authorization: `Bearer ${mine}` } })),
  );
  const accepted = tries.filter((t) => t.stream);
  const refused429 = tries.filter((t) => t.refused === 429);
  const withRetryAfter = refused429.filter((t) => Number(t.retryAfter) > 0).length;
  const theirs = await tryOpen(url, { headers: { authorization: `Bearer ${other}` } });
  for (const t of [...accepted, theirs]) t.stream?.close();
  return {
    attempts,
    accepted: accepted.length,
    refused429: refused429.length,
    withRetryAfter,
    otherPrincipalAdmitted: Boolean(theirs.stream),
  };
}

/** A token holds its PER_PRINCIPAL streams, closes one (destroys its socket), and polls until it is admitted again: ms, `repeats` times. */
export async function timeToFreeSlot({ eventsUrl, restoreId, pool, repeats, timeoutMs }) {
  const [token] = await pool.take(1);
  const headers = { authorization: `Bearer ${token}` };
  const url = eventsUrl(restoreId);
  const held = [];
  for (let i = 0; i < PER_PRINCIPAL; i++) held.push(await openSse(url, { headers }));
  const samples = [];
  let fullBeforeClose = 0;
  for (let r = 0; r < repeats; r++) {
    if ((await tryOpen(url, { headers })).refused === 429) fullBeforeClose++;
    const t0 = performance.now();
    held.shift().close();
    // The stream that got in replaces the closed one, so the token is at its cap again.
    const admitted = await untilAdmitted(url, headers, t0, timeoutMs, true);
    samples.push(admitted?.ms);
    if (!admitted) break;
    held.push(admitted.stream);
  }
  for (const s of held) s.close();
  return { samples, fullBeforeClose };
}

/**
 * N viewers (spread over tokens) on a fresh restore: workerd RSS before they connect, once they hold their
 * replay and some progress, and after every one disconnected (their sockets destroyed at once), plus how
 * soon after that disconnect every principal is admitted again.
 */
export async function memoryAndMassDisconnect({ dev, eventsUrl, newRestore, pool, n, settleMs, timeoutMs }) {
  const { restoreId, progressToken } = await newRestore();
  await pool.take(Math.ceil(n / PER_PRINCIPAL));
  const before = workerdRss(dev);
  const url = eventsUrl(restoreId);
  const streams = await Promise.all(
    Array.from({ length: n }, (_, i) => openSse(url, { headers: pool.headers(i), timeoutMs })),
  );
  for (let i = 0; i < 20; i++)
    await reportProgress(dev, restoreId, progressToken, {
      phase: "downloading",
      bytes: i,
      totalBytes: 1_000_000,
      bytesPerSecond: 1,
      detail: `${i} `.padEnd(300, "x"),
    });
  await sleep(1000);
  const withViewers = workerdRss(dev);
  const t0 = performance.now();
  for (const s of streams) s.close();
  // Every principal that held PER_PRINCIPAL streams must be admitted again: a sample of them, polled at once.
  const sample = Array.from({ length: Math.min(25, Math.ceil(n / PER_PRINCIPAL)) }, (_, k) =>
    Math.floor((k * n) / PER_PRINCIPAL / Math.min(25, Math.ceil(n / PER_PRINCIPAL))),
  );
  const freed = await Promise.all(
    sample.map(async (p) => (await untilAdmitted(url, pool.headers(p * PER_PRINCIPAL), t0, timeoutMs))?.ms),
  );
  await sleep(settleMs);
  const after = workerdRss(dev);
  await reportTransition(dev, restoreId, progressToken, { state: "failed", stage: "bench", reason: "done" });
  return { before, withViewers, after, freedMs: freed, settleMs };
}

/**
 * Normal readers and `stalled` paused readers on a fresh restore while the CLI floods progress (`floodEvents`
 * bulky events from `posters` at once) and reports the four transitions `gapMs` apart: the normal readers'
 * transition latencies, whether each got every progress event and transition, and how many stalled readers
 * the Worker dropped (their stream ended without completed).
 */
export async function withStalledReaders({
  dev,
  eventsUrl,
  newRestore,
  pool,
  normal,
  stalled,
  floodEvents,
  posters,
  gapMs,
  timeoutMs,
  transitions,
}) {
  const { restoreId, progressToken } = await newRestore();
  const normalTokens = Math.ceil(normal / PER_PRINCIPAL);
  await pool.take(normalTokens + Math.ceil(stalled / PER_PRINCIPAL));
  const url = eventsUrl(restoreId);
  const readers = await Promise.all(
    Array.from({ length: normal }, (_, i) => openSse(url, { headers: pool.headers(i), timeoutMs })),
  );
  const stalledStreams = await Promise.all(
    Array.from({ length: stalled }, (_, i) =>
      openSse(url, { headers: pool.headers(i, normalTokens), timeoutMs, paused: true }),
    ),
  );
  let posted = 0;
  let flooding = true;
  const flood = Promise.all(
    Array.from({ length: posters }, async () => {
      while (flooding && posted < floodEvents) {
        const i = posted++;
        await reportProgress(dev, restoreId, progressToken, {
          phase: "downloading",
          bytes: i,
          totalBytes: null,
          bytesPerSecond: 1,
          detail: `${i} `.padEnd(300, "x"),
        });
      }
    }),
  );
  const sent = {};
  const start = performance.now();
  for (const [i, t] of transitions.entries()) {
    // completed only after the flood, so every progress event is sent while the stalled readers are connected.
    if (t.state === "completed") await flood;
    const wait = start + i * gapMs - performance.now();
    if (wait > 0) await sleep(wait);
    const sentAt = performance.now();
    await reportTransition(dev, restoreId, progressToken, t);
    sent[t.state] = sentAt;
  }
  flooding = false;
  await flood;
  await Promise.all(readers.map((s) => s.ended));
  for (const s of stalledStreams) s.resume();
  await Promise.race([Promise.all(stalledStreams.map((s) => s.ended)), sleep(timeoutMs)]);
  const latencies = [];
  let complete = 0;
  for (const s of readers) {
    const states = [];
    let progress = 0;
    for (const e of s.events) {
      if (e.event === "progress") progress++;
      if (e.event !== "transition") continue;
      const state = JSON.parse(e.data).state;
      states.push(state);
      if (sent[state] !== undefined) latencies.push(e.at - sent[state]);
    }
    if (states.join() === "issued,claimed,downloading,verifying,restoring,completed" && progress >= posted) complete++;
  }
  const dropped = stalledStreams.filter(
    (s) => !s.events.some((e) => e.event === "transition" && JSON.parse(e.data).state === "completed"),
  ).length;
  for (const s of stalledStreams) s.close();
  return { latencies, normal, complete, stalled, dropped, progressPosted: posted };
}
