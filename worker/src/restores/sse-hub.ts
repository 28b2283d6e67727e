import type { ApiError, ProgressEvent, TransitionEvent } from "@walwarden/verifier/wire";

type Transition = TransitionEvent;

/** Options of a hub: how many live streams it serves and how often it sends a heartbeat comment. */
export interface SseHubOptions {
  maxSubscribers: number;
  heartbeatMs: number;
}

interface Subscriber {
  writer: WritableStreamDefaultWriter<Uint8Array>;
}

const encoder = new TextEncoder();

/** One `transition` event: `id: n`, so a reconnecting client's Last-Event-ID resumes after it. */
export function transitionEvent(t: Transition): string {
  return `id: ${t.n}\nevent: transition\ndata: ${JSON.stringify(t)}\n\n`;
}

/** One `progress` event: no id (progress is not replayed, and the client's last id stays the last transition's). */
export function progressEvent(p: ProgressEvent): string {
  return `event: progress\ndata: ${JSON.stringify(p)}\n\n`;
}

/**
 * The Server-Sent Event fan-out of one restore: replays logged transitions after a Last-Event-ID, then
 * streams new transitions and progress to every subscriber, sends `: heartbeat` comments so proxies keep
 * the stream open, drops subscribers whose stream broke, and closes every stream at a terminal state.
 */
export class SseHub {
  private readonly subscribers = new Set<Subscriber>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private latestProgress: string | undefined;

  constructor(private readonly options: SseHubOptions) {}

  /** Live subscribers now. */
  get size(): number {
    return this.subscribers.size;
  }

  /** A stream that replays `replay`, then follows live; it ends after the replay when `terminal`. */
  subscribe(replay: Transition[], terminal: boolean, signal?: AbortSignal): Response {
    if (!terminal && this.subscribers.size >= this.options.maxSubscribers)
      return Response.json(
        {
          error: {
            code: "unavailable",
            message: `this restore already has ${this.options.maxSubscribers} live viewers, the most it serves; try again later`,
          },
        } satisfies ApiError,
        { status: 503, headers: { "retry-after": "10" } },
      );
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const sub: Subscriber = { writer };
    let text = `retry: 2000\n\n${replay.map(transitionEvent).join("")}`;
    if (!terminal && this.latestProgress) text += this.latestProgress;
    this.write(sub, text);
    if (terminal) void writer.close().catch(() => undefined);
    else {
      this.subscribers.add(sub);
      signal?.addEventListener("abort", () => this.drop(sub));
      this.heartbeat ??= setInterval(() => this.broadcast(": heartbeat\n\n"), this.options.heartbeatMs);
    }
    return new Response(readable, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  }

  /** Streams a logged transition to everyone. */
  transition(t: Transition): void {
    this.latestProgress = undefined;
    this.broadcast(transitionEvent(t));
  }

  /** Streams progress numbers to everyone and keeps them for the next subscriber. */
  progress(p: ProgressEvent): void {
    this.latestProgress = progressEvent(p);
    this.broadcast(this.latestProgress);
  }

  /** Ends every stream (the restore reached a terminal state). */
  closeAll(): void {
    for (const sub of this.subscribers) {
      this.subscribers.delete(sub);
      void sub.writer.close().catch(() => undefined);
    }
    this.stopHeartbeatIfIdle();
  }

  private broadcast(text: string): void {
    for (const sub of this.subscribers) this.write(sub, text);
  }

  private write(sub: Subscriber, text: string): void {
    sub.writer.write(encoder.encode(text)).catch(() => this.drop(sub));
  }

  private drop(sub: Subscriber): void {
    if (!this.subscribers.delete(sub)) return;
    void sub.writer.abort().catch(() => undefined);
    this.stopHeartbeatIfIdle();
  }

  private stopHeartbeatIfIdle(): void {
    if (this.subscribers.size === 0 && this.heartbeat !== undefined) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }
}
