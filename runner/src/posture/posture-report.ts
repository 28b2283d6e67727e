import type { BucketPosture } from "@walwarden/verifier";

/**
 * How often the loop sends the bucket's posture with a claim: with the first claim, then at most every 5
 * minutes. The Worker logs a posture only when it changes (SPEC §12), and buckets change rarely: five
 * minutes bounds how late a weakened bucket is noticed, at five small S3 reads each time, without a
 * posture on every poll of every slot (pollSeconds is 15 by default).
 */
export const POSTURE_EVERY_MS = 5 * 60_000;

/** A posture taken for one claim: settle(true) once the Worker answered the claim, settle(false) if it did not. */
export interface TakenPosture {
  posture: BucketPosture;
  settle(sent: boolean): void;
}

/**
 * When the loop reads the posture and sends it with a claim. take() reads it when one is due (the first
 * claim, then POSTURE_EVERY_MS after the last one the Worker took) and no other slot has it; a claim the
 * Worker did not answer leaves it due, so the next claim reads it again. A read that fails as a whole
 * (it throws) waits the full period, so a broken store is not read before every claim.
 */
export class PostureReport {
  private nextAt = Number.NEGATIVE_INFINITY;
  private busy = false;

  constructor(
    private readonly read: (signal: AbortSignal) => Promise<BucketPosture>,
    private readonly everyMs = POSTURE_EVERY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The posture to send with this claim, or undefined when none is due. */
  async take(signal: AbortSignal): Promise<TakenPosture | undefined> {
    if (this.busy || this.now() < this.nextAt) return undefined;
    this.busy = true;
    let posture: BucketPosture;
    try {
      posture = await this.read(signal);
    } catch {
      this.nextAt = this.now() + this.everyMs;
      this.busy = false;
      return undefined;
    }
    let settled = false;
    return {
      posture,
      settle: (sent) => {
        if (settled) return;
        settled = true;
        if (sent) this.nextAt = this.now() + this.everyMs;
        this.busy = false;
      },
    };
  }
}
