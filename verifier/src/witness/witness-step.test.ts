import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { utf8 } from "../bytes/utf8.js";
import { leafHash } from "../merkle/hash.js";
import { consistencyProof } from "../merkle/build-proof.js";
import { rootFromLeafHashes } from "../merkle/tree-root.js";
import { signCheckpoint } from "../note/checkpoint.js";
import { signerVerifier } from "../note/signer.js";
import { CHECKPOINT_SIGNER, testSigner } from "../test-support/keys.js";
import { decodeWitnessState, encodeWitnessState, type WitnessState, witnessStep } from "./witness-step.js";

const ORIGIN = "test.walwarden.dev/log/org_acme";
const LOG = [signerVerifier(CHECKPOINT_SIGNER)];

/** A log's leaf hashes: `n` entries of one branch (entries past `forkAt` differ between branches). */
const leaves = (n: number, branch = "a", forkAt = Number.POSITIVE_INFINITY) =>
  Array.from({ length: n }, (_, i) => leafHash(utf8(`entry ${i}${i >= forkAt ? ` of branch ${branch}` : ""}`)));

/** The checkpoint of the first `size` leaves, signed with the real checkpoint key. */
function checkpointOf(all: Uint8Array[], size: number, signer = CHECKPOINT_SIGNER): string {
  const note = signCheckpoint({ origin: ORIGIN, size, rootHash: rootFromLeafHashes(all.slice(0, size)) }, signer);
  if (!note.ok) throw new Error(note.message);
  return note.value;
}

const stateOf = (all: Uint8Array[], size: number): WitnessState => ({
  origin: ORIGIN,
  size: BigInt(size),
  rootHash: rootFromLeafHashes(all.slice(0, size)),
});

describe("witnessStep", () => {
  it("accepts the first checkpoint, then each that extends it by its consistency proof", () => {
    const log = leaves(20);
    const first = witnessStep(null, checkpointOf(log, 5), LOG, ORIGIN, []);
    if (!first.ok) throw new Error(first.message);
    expect(first.value.next).toEqual(stateOf(log, 5));
    const next = witnessStep(
      first.value.next,
      checkpointOf(log, 20),
      LOG,
      ORIGIN,
      consistencyProof(log.slice(0, 20), 5),
    );
    expect(next.ok && next.value.next).toEqual(stateOf(log, 20));
    // The same checkpoint again: accepted, the state unchanged.
    expect(witnessStep(stateOf(log, 20), checkpointOf(log, 20), LOG, ORIGIN, [])).toMatchObject({ ok: true });
  });

  it("refuses a rollback, a second root for a size, and a split view signed with the real key", () => {
    const a = leaves(12, "a", 8);
    const b = leaves(12, "b", 8);
    const seen = stateOf(a, 10);
    expect(witnessStep(seen, checkpointOf(a, 9), LOG, ORIGIN, [])).toMatchObject({ ok: false, code: "rollback" });
    expect(witnessStep(seen, checkpointOf(b, 10), LOG, ORIGIN, [])).toMatchObject({ ok: false, code: "fork" });
    // Branch b's checkpoint with branch b's own proof from 10: it cannot extend what the witness saw of a.
    const split = witnessStep(seen, checkpointOf(b, 12), LOG, ORIGIN, consistencyProof(b, 10));
    expect(split).toMatchObject({ ok: false, code: "inconsistent" });
    // Branch a's honest continuation is accepted.
    expect(witnessStep(seen, checkpointOf(a, 12), LOG, ORIGIN, consistencyProof(a, 10))).toMatchObject({ ok: true });
  });

  it("refuses a checkpoint of another key, another log, or a state of another log", () => {
    const log = leaves(4);
    const rogue = testSigner("test.walwarden.dev/checkpoint", 9);
    expect(witnessStep(null, checkpointOf(log, 4, rogue), LOG, ORIGIN, [])).toMatchObject({ ok: false });
    expect(witnessStep(null, checkpointOf(log, 4), LOG, "test.walwarden.dev/log/org_other", [])).toMatchObject({
      ok: false,
      code: "wrong-origin",
    });
    const other = { ...stateOf(log, 2), origin: "test.walwarden.dev/log/org_other" };
    expect(witnessStep(other, checkpointOf(log, 4), LOG, ORIGIN, [])).toMatchObject({
      ok: false,
      code: "wrong-origin",
    });
    expect(witnessStep(null, "not a note", LOG, ORIGIN, [])).toMatchObject({ ok: false, code: "malformed" });
  });

  it("property: along one log every step is accepted; a branch that differs within what was seen is refused", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        (seenSize, extra, forkAt) => {
          const to = seenSize + extra;
          const honest = leaves(to, "a", forkAt);
          const other = leaves(to, "b", forkAt);
          const seen = stateOf(honest, seenSize);
          const good = witnessStep(seen, checkpointOf(honest, to), LOG, ORIGIN, consistencyProof(honest, seenSize));
          expect(good.ok).toBe(true);
          const bad = witnessStep(seen, checkpointOf(other, to), LOG, ORIGIN, consistencyProof(other, seenSize));
          // The branches agree up to forkAt: one that differs only past what the witness saw extends it (the
          // witness holds that branch from then on); one that differs within it is refused.
          expect(bad.ok).toBe(forkAt >= seenSize);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("witness state", () => {
  it("round-trips, and refuses what is not one", () => {
    const s = stateOf(leaves(3), 3);
    expect(decodeWitnessState(encodeWitnessState(s))).toEqual({ ok: true, value: s });
    for (const text of [
      "",
      "{}",
      JSON.stringify({ v: 2, origin: ORIGIN, size: "3", root: "AAAA" }),
      JSON.stringify({
        v: 1,
        origin: ORIGIN,
        size: "03",
        root: encodeWitnessState(s).split('"root":"')[1]!.slice(0, -2),
      }),
      JSON.stringify({ v: 1, origin: ORIGIN, size: "9223372036854775808", root: "" }),
      JSON.stringify({ v: 1, origin: ORIGIN, size: "3", root: "AAAA" }),
    ])
      expect(decodeWitnessState(text)).toMatchObject({ ok: false, code: "malformed" });
  });
});
