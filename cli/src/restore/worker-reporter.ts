import type { Result } from "@walwarden/verifier";
import type {
  ProgressRequest,
  RestoreApi,
  TransitionErrorCode,
  TransitionRequest,
  TransitionResponse,
} from "../api/restore-api.js";

/** Posts at most this often… */
const MIN_INTERVAL_MS = 1_000;
/** …and at least this often while there is something to say (the Worker fails a silent restore after 10 minutes). */
const HEARTBEAT_MS = 10_000;

/**
 * One claimed restore's reports to the Worker: transitions (logged; retried by the client) and live
 * progress, posted at most once a second and re-sent every 10 s even when nothing changed, one request
 * at a time. Progress is best effort: a lost post is replaced by the next.
 */
export class WorkerReporter {
  private latest: ProgressRequest | undefined;
  private changed = false;
  private lastPostAt = 0;
  private inFlight = false;
  private timer: NodeJS.Timeout | undefined;
  /** Progress posts the Worker did not accept. */
  lostProgress = 0;

  constructor(
    private readonly api: RestoreApi,
    readonly restoreId: string,
    private readonly progressToken: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reports a transition (the API client retries network errors and 5xx). */
  transition(transition: TransitionRequest): Promise<Result<TransitionResponse, TransitionErrorCode>> {
    return this.api.transition(this.restoreId, this.progressToken, transition);
  }

  /** Records the latest progress: posted now if the last post was a second ago or more, else by the timer. */
  progress(progress: ProgressRequest): void {
    this.latest = progress;
    this.changed = true;
    this.timer ??= setInterval(() => void this.tick(), 250).unref();
    void this.tick();
  }

  /** Stops posting progress (after the last transition). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.inFlight || !this.latest) return;
    const sinceLastPost = this.now() - this.lastPostAt;
    if (sinceLastPost < MIN_INTERVAL_MS || (!this.changed && sinceLastPost < HEARTBEAT_MS)) return;
    this.inFlight = true;
    this.changed = false;
    this.lastPostAt = this.now();
    try {
      if (!(await this.api.progress(this.restoreId, this.progressToken, this.latest))) this.lostProgress++;
    } finally {
      this.inFlight = false;
    }
  }
}
