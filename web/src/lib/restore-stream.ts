// Follows a restore live over Server-Sent Events (GET /v1/restores/:id/events, same origin, so the session
// cookie goes along). The server replays every logged transition, then streams new ones as they are logged,
// and ends the stream at a terminal state. EventSource reconnects whenever a stream ends, so we close it
// ourselves on a terminal state; a reconnect after a dropped connection resumes after Last-Event-ID.
import type { ProgressEvent, RestoreState, TransitionEvent } from "@walwarden/verifier/wire";

/** What a follower hears. */
export interface RestoreStreamHandlers {
  onTransition(t: TransitionEvent): void;
  onProgress(p: ProgressEvent): void;
  /** The connection's state in words: "live", "reconnecting", "ended". */
  onConnection(state: "connecting" | "live" | "reconnecting" | "ended"): void;
}

/**
 * Starts following restore `id`; returns a function that stops. Each transition is delivered once, by `n`;
 * `terminal` is the verifier's TERMINAL_STATES (passed in: the verifier loads lazily).
 */
export function followRestore(
  id: string,
  terminal: ReadonlySet<RestoreState>,
  h: RestoreStreamHandlers,
  EventSourceImpl: typeof EventSource = EventSource,
): () => void {
  const seen = new Set<number>();
  const es = new EventSourceImpl(`/v1/restores/${encodeURIComponent(id)}/events`, { withCredentials: true });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    es.close();
    h.onConnection("ended");
  };
  h.onConnection("connecting");
  es.addEventListener("open", () => !ended && h.onConnection("live"));
  es.addEventListener("transition", (e) => {
    const t = JSON.parse((e as MessageEvent<string>).data) as TransitionEvent;
    if (seen.has(t.n)) return;
    seen.add(t.n);
    h.onTransition(t);
    if (terminal.has(t.state)) end();
  });
  es.addEventListener("progress", (e) => {
    if (!ended) h.onProgress(JSON.parse((e as MessageEvent<string>).data) as ProgressEvent);
  });
  es.addEventListener("error", () => {
    if (ended) return;
    // CLOSED: the browser gave up (an HTTP error such as 401 or 503); CONNECTING: it is retrying.
    if (es.readyState === EventSourceImpl.CLOSED) end();
    else h.onConnection("reconnecting");
  });
  return end;
}
