import {
  cosignCheckpoint,
  err,
  type NoteVerifier,
  ok,
  parseSignedNote,
  type Result,
  type WitnessRefusalCode,
  type WitnessState,
  witnessStep,
} from "@walwarden/verifier";
import { loadWitnessState, saveWitnessState } from "./witness-store.js";

/** What the runner needs to witness a checkpoint of its org's log. */
export interface WitnessInput {
  stateDir: string;
  /** The signed checkpoint the Worker handed over. */
  note: string;
  /** RFC 9162 consistency proof from the runner's accepted size to the checkpoint's. */
  proof: readonly Uint8Array[];
  /** The pinned checkpoint keys and the org's log origin. */
  logKeys: readonly NoteVerifier[];
  origin: string;
  /** The runner's key, named as the Worker names it (`<deployment>/runner/<id>`, SPEC §11). */
  signer: { name: string; secretKey: Uint8Array };
  /** Seconds since the epoch: the cosignature's timestamp. */
  nowSeconds: number;
  /**
   * Called once the step accepted the checkpoint and before the new state is stored (the anchor queue, SPEC
   * §13): a failure stores and cosigns nothing.
   */
  beforeStore?: (previous: WitnessState | null, next: WitnessState) => Promise<Result<void, WitnessFailure>>;
}

/** Why the runner did not cosign: the witness refused the checkpoint, or its state could not be used. */
export type WitnessFailure = WitnessRefusalCode | "state-unreadable" | "state-unwritable" | "cosign-failed";

/**
 * Witnesses one checkpoint (SPEC §13): the stored state, the witness step, the new state stored, then the
 * cosignature/v1 line over the checkpoint's body. Nothing is cosigned unless the state that records it was
 * stored first; a refusal leaves the state as it was.
 */
export async function witnessCheckpoint(
  input: WitnessInput,
): Promise<
  Result<{ cosignature: string; size: bigint; previous: WitnessState | null; next: WitnessState }, WitnessFailure>
> {
  const state = await loadWitnessState(input.stateDir);
  if (!state.ok) return state;
  const step = witnessStep(state.value, input.note, input.logKeys, input.origin, input.proof);
  if (!step.ok) return step;
  if (input.beforeStore) {
    const before = await input.beforeStore(state.value, step.value.next);
    if (!before.ok) return before;
  }
  const saved = await saveWitnessState(input.stateDir, step.value.next);
  if (!saved.ok) return saved;
  const body = parseSignedNote(input.note);
  if (!body.ok) return err("cosign-failed", body.message);
  const line = cosignCheckpoint(body.value.text, input.signer, input.nowSeconds);
  if (!line.ok) return err("cosign-failed", line.message);
  return ok({
    cosignature: line.value,
    size: step.value.checkpoint.size,
    previous: state.value,
    next: step.value.next,
  });
}
