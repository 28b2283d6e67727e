import { describe, expect, it } from "vitest";
import { followRestore } from "./restore-stream.js";
import type { TransitionEvent } from "@walwarden/verifier/wire";

/** A stand-in EventSource the test drives. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static last: FakeEventSource | undefined;
  readyState = FakeEventSource.CONNECTING;
  closed = false;
  private listeners = new Map<string, ((e: unknown) => void)[]>();
  constructor(
    readonly url: string,
    readonly init?: EventSourceInit,
  ) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, f: (e: unknown) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), f]);
  }
  close() {
    this.closed = true;
    this.readyState = FakeEventSource.CLOSED;
  }
  emit(type: string, data?: unknown) {
    for (const f of this.listeners.get(type) ?? []) f({ data: JSON.stringify(data) });
  }
}

const TERMINAL = new Set(["completed", "failed", "expired"] as const);
const t = (n: number, state: TransitionEvent["state"]): TransitionEvent => ({
  restoreId: "rs_1",
  n,
  state,
  at: "2026-11-24T00:00:00.000Z",
  seq: 10 + n,
  data: {},
});

function follow() {
  const got: { transitions: string[]; progress: number[]; connection: string[] } = {
    transitions: [],
    progress: [],
    connection: [],
  };
  const stop = followRestore(
    "rs_1",
    TERMINAL,
    {
      onTransition: (x) => got.transitions.push(x.state),
      onProgress: (p) => got.progress.push(p.bytes),
      onConnection: (c) => got.connection.push(c),
    },
    FakeEventSource as unknown as typeof EventSource,
  );
  return { got, stop, es: FakeEventSource.last! };
}

describe("following a restore over SSE", () => {
  it("opens the restore's stream with credentials, delivers transitions and progress, and closes itself at a terminal state", () => {
    const { got, es } = follow();
    expect(es.url).toBe("/v1/restores/rs_1/events");
    expect(es.init).toEqual({ withCredentials: true });
    es.readyState = FakeEventSource.OPEN;
    es.emit("open");
    es.emit("transition", t(1, "issued"));
    es.emit("transition", t(2, "claimed"));
    es.emit("progress", { phase: "downloading", bytes: 42, totalBytes: 100, bytesPerSecond: 1 });
    es.emit("transition", t(3, "completed"));
    expect(got.transitions).toEqual(["issued", "claimed", "completed"]);
    expect(got.progress).toEqual([42]);
    expect(es.closed).toBe(true);
    expect(got.connection).toEqual(["connecting", "live", "ended"]);
    // Anything after the end (a late event) is ignored.
    es.emit("progress", { phase: "restoring", bytes: 1, totalBytes: null, bytesPerSecond: 0 });
    expect(got.progress).toEqual([42]);
  });

  it("says it is reconnecting when the connection drops, and delivers a replayed transition once", () => {
    const { got, es } = follow();
    es.emit("transition", t(1, "issued"));
    es.emit("transition", t(2, "claimed"));
    es.readyState = FakeEventSource.CONNECTING;
    es.emit("error");
    expect(got.connection.at(-1)).toBe("reconnecting");
    expect(es.closed).toBe(false);
    es.emit("open");
    es.emit("transition", t(2, "claimed"));
    es.emit("transition", t(3, "downloading"));
    expect(got.transitions).toEqual(["issued", "claimed", "downloading"]);
  });

  it("ends when the browser gives up (an HTTP error), and stop() closes the stream", () => {
    const a = follow();
    a.es.readyState = FakeEventSource.CLOSED;
    a.es.emit("error");
    expect(a.got.connection.at(-1)).toBe("ended");
    const b = follow();
    b.stop();
    expect(b.es.closed).toBe(true);
  });
});
