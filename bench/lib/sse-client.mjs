// A Server-Sent Events client for the benches: one node:http request on its own new socket per stream
// (`agent: false`; fetch/undici would pool connections per origin and could queue streams behind each
// other), events parsed incrementally as the EventSource algorithm does for id, event and data, and each
// event stamped with performance.now() when the chunk that completes it arrives: the bench process's clock,
// so a bench can subtract a time it took itself just before it caused the event.
import { request } from "node:http";

/**
 * One parsed event: `id` (if the event set one), `event` ("message" unless named), `data` (data lines
 * joined with \n), and `at`, performance.now() when it arrived.
 * @typedef {{ id?: string, event: string, data: string, at: number }} SseEvent
 */

/**
 * Incremental SSE parser: feed() it text as it arrives; it returns the events completed by that text
 * (comments and `retry:` are counted, not returned). Handles LF, CRLF and CR line ends split across chunks.
 */
export class SseParser {
  constructor() {
    this.buffer = "";
    this.id = undefined;
    this.event = "";
    this.data = [];
    this.comments = 0;
    this.retry = undefined;
  }

  /**
   * @param {string} text
   * @param {number} [at] arrival time to stamp the completed events with
   * @returns {SseEvent[]}
   */
  feed(text, at = performance.now()) {
    this.buffer += text;
    /** @type {SseEvent[]} */
    const out = [];
    let start = 0;
    for (;;) {
      const lf = this.buffer.indexOf("\n", start);
      const cr = this.buffer.indexOf("\r", start);
      const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      if (end < 0) break;
      let next = end + 1;
      if (this.buffer[end] === "\r") {
        // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
        if (end === this.buffer.length - 1) break;
        if (this.buffer[end + 1] === "\n") next = end + 2;
      }
      this.line(this.buffer.slice(start, end), out, at);
      start = next;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  /** @param {string} line @param {SseEvent[]} out @param {number} at */
  line(line, out, at) {
    if (line === "") {
      if (this.data.length > 0)
        out.push({
          ...(this.id !== undefined ? { id: this.id } : {}),
          event: this.event || "message",
          data: this.data.join("\n"),
          at,
        });
      this.event = "";
      this.data = [];
      this.id = undefined;
      return;
    }
    if (line.startsWith(":")) {
      this.comments++;
      return;
    }
    const i = line.indexOf(":");
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
    if (field === "id") this.id = value;
    else if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "retry" && /^\d+$/.test(value)) this.retry = Number(value);
  }
}

/**
 * Opens an SSE stream (GET `url`) on a fresh socket and resolves once the response headers are in; rejects
 * on a non-200 answer (with its body) or if no answer comes within `timeoutMs`. The stream then collects
 * `events` until the server ends it (`ended` resolves) or close() is called.
 * @param {string} url
 * @param {{ headers?: Record<string, string>, lastEventId?: string, timeoutMs?: number, onEvent?: (e: SseEvent) => void }} [options]
 */
export function openSse(url, { headers = {}, lastEventId, timeoutMs = 60_000, onEvent } = {}) {
  const openedAt = performance.now();
  return new Promise((resolve, reject) => {
    const h = { accept: "text/event-stream", ...headers };
    if (lastEventId !== undefined) h["last-event-id"] = lastEventId;
    const req = request(url, { method: "GET", headers: h, agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`no answer to GET ${url} within ${timeoutMs} ms`)), timeoutMs);
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.on("response", (res) => {
      clearTimeout(timer);
      res.setEncoding("utf8");
      if (res.statusCode !== 200) {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => reject(new Error(`GET ${url} → ${res.statusCode}: ${body.slice(0, 500)}`)));
        res.on("error", reject);
        return;
      }
      const parser = new SseParser();
      /** @type {SseEvent[]} */
      const events = [];
      let endedOk;
      const stream = {
        status: res.statusCode,
        headers: res.headers,
        /** performance.now() when the request was started and when the response headers arrived. */
        openedAt,
        respondedAt: performance.now(),
        events,
        parser,
        /** Resolves when the stream ends: { at, error? } (error if it broke rather than ended). */
        ended: new Promise((r) => (endedOk = r)),
        /** What `ended` resolved with, once it has (undefined while the stream is open). */
        end: undefined,
        /** Closes the stream from our side (destroys its socket). */
        close: () => res.destroy(),
      };
      let done = false;
      const finish = (error) => {
        if (done) return;
        done = true;
        stream.end = { at: performance.now(), ...(error ? { error } : {}) };
        endedOk(stream.end);
      };
      res.on("data", (chunk) => {
        const at = performance.now();
        for (const e of parser.feed(chunk, at)) {
          events.push(e);
          onEvent?.(e);
        }
      });
      res.on("end", () => finish());
      res.on("error", (e) => finish(e));
      res.on("close", () => finish(res.complete ? undefined : new Error("the stream was closed before it ended")));
      resolve(stream);
    });
    req.end();
  });
}
