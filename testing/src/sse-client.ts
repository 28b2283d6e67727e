// A Server-Sent Events client: one node:http request on its own new socket per stream (`agent: false`;
// fetch/undici would pool connections per origin and could queue streams behind each other), events parsed
// incrementally as the EventSource algorithm does for id, event and data, and each event stamped with
// performance.now() when the chunk that completes it arrives: this process's clock, so a bench can subtract
// a time it took itself just before it caused the event.
import { type IncomingHttpHeaders, request } from "node:http";

/** One parsed event: `event` is "message" unless named, `data` its data lines joined with \n, `at` performance.now() when it arrived. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  at: number;
}

/**
 * Incremental SSE parser: feed() it text as it arrives; it returns the events completed by that text
 * (comments and `retry:` are counted, not returned). Handles LF, CRLF and CR line ends split across chunks.
 */
export class SseParser {
  /** Comment lines seen (the server's heartbeats). */
  comments = 0;
  /** The last `retry:` value. */
  retry: number | undefined = undefined;
  private buffer = "";
  private id: string | undefined = undefined;
  private event = "";
  private data: string[] = [];

  /** Feeds `text`; returns the events it completes, stamped `at`. */
  feed(text: string, at: number = performance.now()): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
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

  private line(line: string, out: SseEvent[], at: number): void {
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

/** How a stream ended: when, and the error if it broke rather than ended. */
export interface SseEnd {
  at: number;
  error?: Error;
}

/** openSse's rejection for an answer other than 200 (a refusal such as 429 or 503): its status, headers and body. */
export class SseRefused extends Error {
  constructor(
    url: string,
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    readonly body: string,
  ) {
    super(`GET ${url} → ${status}: ${body.slice(0, 500)}`);
  }
}

/** An open stream: its events so far, and when it ended. */
export interface SseStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** performance.now() when the request was started. */
  openedAt: number;
  /** performance.now() when the response headers arrived. */
  respondedAt: number;
  events: SseEvent[];
  parser: SseParser;
  /** Resolves when the stream ends. */
  ended: Promise<SseEnd>;
  /** What `ended` resolved with, once it has (undefined while the stream is open). */
  end: SseEnd | undefined;
  /** Closes the stream from our side (destroys its socket). */
  close(): void;
  /** Starts reading a stream opened `paused` (a stalled reader that recovers). */
  resume(): void;
}

/** How openSse opens a stream. */
export interface OpenSseOptions {
  headers?: Record<string, string>;
  lastEventId?: string;
  timeoutMs?: number;
  onEvent?: (e: SseEvent) => void;
  /** Read nothing until resume(): a stalled reader, whose socket's buffers fill and then push back on the server. */
  paused?: boolean;
}

/**
 * Opens an SSE stream (GET `url`) on a fresh socket and resolves once the response headers are in; rejects
 * with SseRefused on a non-200 answer or with an error if no answer comes within `timeoutMs`. The stream then collects
 * `events` until the server ends it (`ended` resolves) or close() is called.
 */
export function openSse(
  url: string,
  { headers = {}, lastEventId, timeoutMs = 60_000, onEvent, paused = false }: OpenSseOptions = {},
): Promise<SseStream> {
  const openedAt = performance.now();
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { accept: "text/event-stream", ...headers };
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
        res.on("data", (d: string) => (body += d));
        res.on("end", () => reject(new SseRefused(url, res.statusCode ?? 0, res.headers, body)));
        res.on("error", reject);
        return;
      }
      const parser = new SseParser();
      const events: SseEvent[] = [];
      let reading = !paused;
      let endedOk: (end: SseEnd) => void = () => {};
      const stream: SseStream = {
        status: res.statusCode,
        headers: res.headers,
        openedAt,
        respondedAt: performance.now(),
        events,
        parser,
        ended: new Promise((r) => (endedOk = r)),
        end: undefined,
        close: () => res.destroy(),
        resume: () => {
          if (reading) return;
          reading = true;
          res.on("data", onData);
          res.resume();
        },
      };
      let done = false;
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        stream.end = { at: performance.now(), ...(error ? { error } : {}) };
        endedOk(stream.end);
      };
      const onData = (chunk: string) => {
        const at = performance.now();
        for (const e of parser.feed(chunk, at)) {
          events.push(e);
          onEvent?.(e);
        }
      };
      // A paused stream gets no data listener (which would start the flow) until resume().
      if (paused) res.pause();
      else res.on("data", onData);
      res.on("end", () => finish());
      res.on("error", (e) => finish(e));
      res.on("close", () => finish(res.complete ? undefined : new Error("the stream was closed before it ended")));
      resolve(stream);
    });
    req.end();
  });
}
