import { fromBase64, toBase64 } from "../bytes/base64.js";
import { bytesEqual } from "../bytes/compare.js";
import { verifyConsistency } from "../merkle/verify-consistency.js";
import { type CheckpointErrorCode, type VerifiedCheckpoint, verifyCheckpoint } from "../note/checkpoint.js";
import type { NoteVerifier } from "../note/vkey.js";
import { err, ok, type Result } from "../result.js";

/** What a witness remembers of a log (SPEC §13): the newest checkpoint it accepted, by size and root. */
export interface WitnessState {
  readonly origin: string;
  readonly size: bigint;
  readonly rootHash: Uint8Array;
}

/**
 * Why a witness refuses a checkpoint (SPEC §13). `rollback`: smaller than the one it accepted; `fork`: the
 * same size with another root; `inconsistent`: larger, and the proof does not prove it extends the one it
 * accepted (a split view, or a proof that is wrong: from outside the two cannot be told apart); the
 * checkpoint's own faults are the checkpoint's codes.
 */
export type WitnessRefusalCode = CheckpointErrorCode | "rollback" | "fork" | "inconsistent";

/**
 * One step of a witness (C2SP tlog-witness semantics, pulled rather than pushed): checks the checkpoint's
 * signature with the pinned log keys and its origin, then that it is the accepted one or extends it by the
 * RFC 9162 consistency proof `proof` (from the accepted size to its own). Sizes never go down and a size
 * never has two roots. Without a state it accepts the first checkpoint it is shown (trust on first use:
 * from then on the log cannot show it another history). The caller stores `next` durably before it cosigns.
 */
export function witnessStep(
  state: WitnessState | null,
  note: string | Uint8Array,
  logKeys: readonly NoteVerifier[],
  origin: string,
  proof: readonly Uint8Array[],
): Result<{ next: WitnessState; checkpoint: VerifiedCheckpoint }, WitnessRefusalCode> {
  if (state !== null && state.origin !== origin)
    return err(
      "wrong-origin",
      `the witness state is for ${JSON.stringify(state.origin)}, not ${JSON.stringify(origin)}`,
    );
  const cp = verifyCheckpoint(note, logKeys, origin);
  if (!cp.ok) return cp;
  const next = { origin, size: cp.value.size, rootHash: cp.value.rootHash };
  if (state === null || state.size === 0n) return ok({ next, checkpoint: cp.value });
  if (cp.value.size < state.size)
    return err("rollback", `checkpoint of size ${cp.value.size} is older than the accepted size ${state.size}`);
  if (cp.value.size === state.size)
    return bytesEqual(cp.value.rootHash, state.rootHash)
      ? ok({ next: state, checkpoint: cp.value })
      : err("fork", `two roots for size ${state.size}: the accepted one and this checkpoint's`);
  const proved = verifyConsistency(state.size, cp.value.size, state.rootHash, cp.value.rootHash, proof);
  if (!proved.ok)
    return err(
      "inconsistent",
      `checkpoint of size ${cp.value.size} is not proved to extend the accepted size ${state.size}: ${proved.message}`,
    );
  return ok({ next, checkpoint: cp.value });
}

/** A witness state as stored: JSON `{"v":1,"origin","size"(decimal string),"root"(base64)}`. */
export function encodeWitnessState(s: WitnessState): string {
  return JSON.stringify({ v: 1, origin: s.origin, size: s.size.toString(), root: toBase64(s.rootHash) });
}

/** A stored witness state read back; "malformed" when it is not one (a witness must not guess its state). */
export function decodeWitnessState(text: string): Result<WitnessState, "malformed"> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return err("malformed", "witness state is not JSON");
  }
  const o = v as { v?: unknown; origin?: unknown; size?: unknown; root?: unknown };
  if (typeof o !== "object" || o === null || o.v !== 1 || typeof o.origin !== "string" || o.origin.length === 0)
    return err("malformed", "witness state lacks v 1 and an origin");
  if (typeof o.size !== "string" || !/^(0|[1-9][0-9]{0,18})$/.test(o.size) || BigInt(o.size) > 2n ** 63n - 1n)
    return err("malformed", "witness state's size is not a decimal tree size");
  const root = typeof o.root === "string" ? fromBase64(o.root) : undefined;
  if (root?.length !== 32) return err("malformed", "witness state's root is not 32 bytes of base64");
  return ok({ origin: o.origin, size: BigInt(o.size), rootHash: root });
}
