// Types of sse-client.mjs (the .mjs is the implementation and its docs).
import type { IncomingHttpHeaders } from "node:http";

/** One parsed event; `at` is performance.now() when it arrived. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  at: number;
}

/** Incremental SSE parser: feed() returns the events the text completes. */
export class SseParser {
  comments: number;
  retry: number | undefined;
  feed(text: string, at?: number): SseEvent[];
}

/** An open stream: its events so far, and when it ended. */
export interface SseStream {
  status: number;
  headers: IncomingHttpHeaders;
  openedAt: number;
  respondedAt: number;
  events: SseEvent[];
  parser: SseParser;
  ended: Promise<{ at: number; error?: Error }>;
  /** What `ended` resolved with, once it has. */
  end: { at: number; error?: Error } | undefined;
  close(): void;
}

/** Opens an SSE stream on a fresh socket; resolves when the 200 answer's headers are in. */
export function openSse(
  url: string,
  options?: {
    headers?: Record<string, string>;
    lastEventId?: string;
    timeoutMs?: number;
    onEvent?: (e: SseEvent) => void;
  },
): Promise<SseStream>;
