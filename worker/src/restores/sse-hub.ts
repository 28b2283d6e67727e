import type { ApiError, ProgressEvent, TransitionEvent } from "@walwarden/verifier/wire";
import { PER_PRINCIPAL_RETRY_AFTER_SECONDS, TOTAL_RETRY_AFTER_SECONDS } from "./sse-limits.js";
import { SseViewer } from "./sse-viewer.js";

type Transition = TransitionEvent;

/** Options of a hub: its caps (in all and per principal), the backlog that drops a viewer, the heartbeat interval. */
export interface SseHubOptions {
  maxSubscribers: number;
  maxPerPrincipal: number;
  maxBacklogBytes: number;
  heartbeatMs: number;
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
 * streams new transitions and progress to every viewer, sends `: heartbeat` comments so proxies keep the
 * stream open, and closes every stream at a terminal state. A principal holds at most `maxPerPrincipal`
 * streams; a viewer is released as soon as its reader cancels or its request aborts, and dropped once it is
 * `maxBacklogBytes` behind. A released viewer leaves nothing here (no entry, count, listener or timer).
 */
export class SseHub {
  private readonly viewers = new Set<SseViewer>();
  private readonly perPrincipal = new Map<string, number>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private latestProgress: string | undefined;

  constructor(private readonly options: SseHubOptions) {}

  /** Live viewers now. */
  get size(): number {
    return this.viewers.size;
  }

  /** Principals holding a live stream now. */
  get principals(): number {
    return this.perPrincipal.size;
  }

  /** True while the heartbeat timer runs (only while someone is viewing). */
  get beating(): boolean {
    return this.heartbeat !== undefined;
  }

  /**
   * `principal`'s stream that replays `replay` (the transitions after its Last-Event-ID `after`), then
   * follows live; it ends after the replay when `terminal`. Past a cap: 429 or 503 with Retry-After.
   */
  subscribe(replay: Transition[], after: number, terminal: boolean, principal: string, signal?: AbortSignal): Response {
    const refused = terminal ? undefined : this.refusal(principal);
    if (refused) return refused;
    const viewer = new SseViewer(principal, replay.at(-1)?.n ?? after, (v) => this.release(v), signal);
    let text = `retry: 2000\n\n${replay.map(transitionEvent).join("")}`;
    if (!terminal && this.latestProgress) text += this.latestProgress;
    viewer.send(encoder.encode(text));
    if (terminal) viewer.end();
    else {
      this.viewers.add(viewer);
      this.perPrincipal.set(principal, (this.perPrincipal.get(principal) ?? 0) + 1);
      this.heartbeat ??= setInterval(() => this.broadcast(": heartbeat\n\n"), this.options.heartbeatMs);
    }
    return new Response(viewer.stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  }

  /** Streams a logged transition to every viewer that was not replayed it. */
  transition(t: Transition): void {
    this.latestProgress = undefined;
    const bytes = encoder.encode(transitionEvent(t));
    for (const v of this.viewers) {
      if (t.n <= v.lastN) continue;
      v.lastN = t.n;
      this.deliver(v, bytes);
    }
  }

  /** Streams progress numbers to everyone and keeps them for the next subscriber. */
  progress(p: ProgressEvent): void {
    this.latestProgress = progressEvent(p);
    this.broadcast(this.latestProgress);
  }

  /** Ends every stream (the restore reached a terminal state). */
  closeAll(): void {
    for (const v of [...this.viewers]) {
      this.release(v);
      v.end();
    }
  }

  private refusal(principal: string): Response | undefined {
    const { maxSubscribers, maxPerPrincipal } = this.options;
    if ((this.perPrincipal.get(principal) ?? 0) >= maxPerPrincipal)
      return refuse(
        429,
        "rate-limited",
        `you already have ${maxPerPrincipal} live streams of this restore, the most one user or token may hold; close one`,
        PER_PRINCIPAL_RETRY_AFTER_SECONDS,
      );
    if (this.viewers.size >= maxSubscribers)
      return refuse(
        503,
        "unavailable",
        `this restore already has ${maxSubscribers} live viewers, the most it serves; try again later`,
        TOTAL_RETRY_AFTER_SECONDS,
      );
    return undefined;
  }

  private broadcast(text: string): void {
    const bytes = encoder.encode(text);
    for (const v of this.viewers) this.deliver(v, bytes);
  }

  /** Sends to one viewer; one too far behind is dropped (it reconnects and is replayed what it missed). */
  private deliver(v: SseViewer, bytes: Uint8Array): void {
    if (!v.send(bytes)) this.release(v);
    else if (v.backlog > this.options.maxBacklogBytes) {
      this.release(v);
      v.drop();
    }
  }

  /** Forgets a viewer that ended: its slot and its principal's count are free at once. */
  private release(v: SseViewer): void {
    if (!this.viewers.delete(v)) return;
    const left = (this.perPrincipal.get(v.principal) ?? 1) - 1;
    if (left > 0) this.perPrincipal.set(v.principal, left);
    else this.perPrincipal.delete(v.principal);
    if (this.viewers.size === 0 && this.heartbeat !== undefined) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }
}

function refuse(
  status: 429 | 503,
  code: "rate-limited" | "unavailable",
  message: string,
  retryAfter: number,
): Response {
  return Response.json({ error: { code, message } } satisfies ApiError, {
    status,
    headers: { "retry-after": String(retryAfter) },
  });
}
