/**
 * One live viewer's Server-Sent Event stream. It keeps its own queue of what the reader has not taken yet
 * (a pull-based stream with no internal buffer), so the hub knows exactly how far behind each viewer is and
 * can drop a stalled one; and it reports its end (the reader cancelled, or the request was aborted) at once
 * rather than at the next write that fails.
 */
export class SseViewer {
  /** The readable side, the body of the viewer's response. */
  readonly stream: ReadableStream<Uint8Array>;
  /** The highest transition n sent to this viewer (replay included): a transition is never sent twice. */
  lastN: number;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  // The reader asked for a chunk while the queue was empty: the next send goes straight to it.
  private wanted = false;
  private finished = false;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private readonly onAbort: () => void;

  /** `gone` is called once when the reader cancels or `signal` aborts; the viewer is then finished. */
  constructor(
    readonly principal: string,
    lastN: number,
    gone: (v: SseViewer) => void,
    private readonly signal?: AbortSignal,
  ) {
    this.lastN = lastN;
    this.onAbort = () => {
      if (this.finish()) gone(this);
    };
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.controller = c;
        },
        pull: () => this.pull(),
        cancel: () => {
          if (this.finish()) gone(this);
        },
      },
      { highWaterMark: 0 },
    );
    signal?.addEventListener("abort", this.onAbort);
  }

  /** Bytes queued that the reader has not taken. */
  get backlog(): number {
    return this.queuedBytes;
  }

  /** Sends `bytes` (or queues them until the reader asks); false once the viewer is finished. */
  send(bytes: Uint8Array): boolean {
    if (this.finished) return false;
    if (this.wanted) {
      this.wanted = false;
      this.controller.enqueue(bytes);
    } else {
      this.queue.push(bytes);
      this.queuedBytes += bytes.byteLength;
    }
    return true;
  }

  /** Ends the stream after what is queued (the restore is over). */
  end(): void {
    const rest = this.takeQueue();
    if (!this.finish()) return;
    if (rest) this.controller.enqueue(rest);
    this.controller.close();
  }

  /** Ends the stream now, discarding what is queued (the viewer fell too far behind): it reconnects and resumes. */
  drop(): void {
    this.takeQueue();
    if (this.finish()) this.controller.close();
  }

  private pull(): void {
    const chunk = this.takeQueue();
    if (chunk) this.controller.enqueue(chunk);
    else this.wanted = true;
  }

  /** Everything queued as one chunk (a reader that fell behind catches up in one read), the queue emptied. */
  private takeQueue(): Uint8Array | undefined {
    if (this.queue.length === 0) return undefined;
    const chunk = this.queue.length === 1 ? this.queue[0]! : concat(this.queue, this.queuedBytes);
    this.queue = [];
    this.queuedBytes = 0;
    return chunk;
  }

  /** Marks the viewer finished and lets go of the signal (so nothing outlives the stream); false if it already was. */
  private finish(): boolean {
    if (this.finished) return false;
    this.finished = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.signal?.removeEventListener("abort", this.onAbort);
    return true;
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
