// When the loop sends the bucket's posture with a claim (posture-report.ts), on a clock the test moves:
// the first claim, then not before POSTURE_EVERY_MS after the last one the Worker took.
import type { BucketPosture } from "@walwarden/verifier";
import { describe, expect, it } from "vitest";
import { POSTURE_EVERY_MS, PostureReport } from "./posture-report.js";

const POSTURE: BucketPosture = {
  bucket: "acme-backups",
  versioning: "enabled",
  objectLock: "unknown",
  publicAccess: "blocked",
  encryption: "AES256",
  lifecycle: [],
};
const signal = new AbortController().signal;

function report(read: () => Promise<BucketPosture> = async () => POSTURE) {
  let now = 1_000_000;
  let reads = 0;
  const r = new PostureReport(
    () => {
      reads++;
      return read();
    },
    POSTURE_EVERY_MS,
    () => now,
  );
  return { r, advance: (ms: number) => void (now += ms), reads: () => reads };
}

describe("the posture's schedule", () => {
  it("is five minutes", () => {
    expect(POSTURE_EVERY_MS).toBe(300_000);
  });

  it("goes with the first claim, not the next ones, then again once five minutes have passed", async () => {
    const { r, advance, reads } = report();
    const first = await r.take(signal);
    expect(first?.posture).toEqual(POSTURE);
    first!.settle(true);
    expect(await r.take(signal)).toBeUndefined();
    advance(POSTURE_EVERY_MS - 1);
    expect(await r.take(signal)).toBeUndefined();
    expect(reads()).toBe(1);
    advance(1);
    const again = await r.take(signal);
    expect(again?.posture).toEqual(POSTURE);
    expect(reads()).toBe(2);
  });

  it("one slot at a time: another slot's claim carries none while one has it", async () => {
    const { r } = report();
    const taken = await r.take(signal);
    expect(taken).toBeDefined();
    expect(await r.take(signal)).toBeUndefined();
    taken!.settle(true);
    expect(await r.take(signal)).toBeUndefined();
  });

  it("a claim the Worker did not answer leaves it due: the next claim reads and sends it again", async () => {
    const { r, reads } = report();
    (await r.take(signal))!.settle(false);
    const again = await r.take(signal);
    expect(again?.posture).toEqual(POSTURE);
    expect(reads()).toBe(2);
  });

  it("a read that throws is not tried before every claim: it waits the full period", async () => {
    const { r, advance, reads } = report(async () => {
      throw new Error("schema");
    });
    expect(await r.take(signal)).toBeUndefined();
    expect(await r.take(signal)).toBeUndefined();
    expect(reads()).toBe(1);
    advance(POSTURE_EVERY_MS);
    expect(await r.take(signal)).toBeUndefined();
    expect(reads()).toBe(2);
  });
});
