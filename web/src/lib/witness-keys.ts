// Witness keys pasted into a verify form (the offline verify page), made into the verifier's options exactly
// as `walwarden-verify bundle --witness <vkey> … --witness-quorum M` makes them (verifier/src/bin): each line a
// cosigner vkey (type 0x04) or a runner's own vkey (type 0x01, taken as its cosigner key), parsed by the
// verifier's witnessKeysFromVkeys; the quorum a whole number from 1 to the number of keys. Unlike the CLI,
// an empty quorum means all of them: a key pasted is a witness the auditor requires.
import { type CosignerKey, witnessKeysFromVkeys } from "@walwarden/verifier";
import { parseKeyLines } from "./key-lines.js";

const sentenceCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The policy's witness part, or the field at fault with what is wrong. */
export type WitnessOptions =
  | { ok: true; value: { witnesses?: CosignerKey[]; witnessQuorum?: number }; count: number }
  | { ok: false; field: "witnesses" | "quorum"; message: string };

/** `--witness` keys and `--witness-quorum` from the form's text (none given: no witness required). */
export function witnessOptions(keysText: string, quorumText: string): WitnessOptions {
  const vkeys = parseKeyLines(keysText);
  const parsed = witnessKeysFromVkeys(vkeys);
  if (!parsed.ok) return { ok: false, field: "witnesses", message: `${sentenceCase(parsed.message)}.` };
  const q = quorumText.trim();
  if (vkeys.length === 0) {
    if (q) return { ok: false, field: "quorum", message: "A quorum needs witness keys: paste them above." };
    return { ok: true, value: {}, count: 0 };
  }
  if (q && !/^[1-9][0-9]{0,2}$/.test(q))
    return { ok: false, field: "quorum", message: `The quorum is a whole number from 1, not “${q}”.` };
  const quorum = q ? Number(q) : vkeys.length;
  if (quorum > vkeys.length)
    return {
      ok: false,
      field: "quorum",
      message: `A quorum of ${quorum} needs at least ${quorum} witness keys; ${vkeys.length} given.`,
    };
  return { ok: true, value: { witnesses: parsed.value, witnessQuorum: quorum }, count: vkeys.length };
}
