import { utf8 } from "../bytes/utf8.js";
import { sign, verify, type Ed25519Verify } from "../ed25519/ed25519.js";
import { err, ok, type Result } from "../result.js";
import { keyIdHex, SIGNATURE_TYPE_ED25519 } from "./key-id.js";
import { isValidKeyName } from "./key-name.js";
import { matchSignatures, type MatchErrorCode } from "./key-match.js";
import {
  formatSignatureLine,
  MAX_NOTE_SIGNATURES,
  parseSignedNote,
  type NoteSignature,
  type ParsedNote,
} from "./note-format.js";
import { noteTextProblem } from "./note-text.js";
import { signerVerifier, type NoteSigner } from "./signer.js";
import type { NoteVerifier } from "./vkey.js";

/** A note whose signatures checked out: its text and the pinned keys that signed it. */
export interface OpenedNote {
  /** The signed text, final newline included. */
  readonly text: string;
  /** Pinned keys with a valid signature, in signature-line order. Never empty. */
  readonly verifiedBy: readonly NoteVerifier[];
  /** Signatures of keys not pinned: ignored, as the spec requires, and reported for information. */
  readonly unknownSignatures: readonly NoteSignature[];
}

/** Why a note was refused. */
export type OpenNoteErrorCode = "malformed" | MatchErrorCode | "bad-signature" | "unknown-key";

/** Verifies the signatures of an already parsed note (see openNote); `ed25519` gives the portable results faster (Node: nativeEd25519Verify). */
export function verifyParsedNote(
  parsed: ParsedNote,
  verifiers: readonly NoteVerifier[],
  ed25519: Ed25519Verify = verify,
): Result<OpenedNote, Exclude<OpenNoteErrorCode, "malformed">> {
  const m = matchSignatures(parsed.signatures, verifiers, SIGNATURE_TYPE_ED25519);
  if (!m.ok) return m;
  const message = utf8(parsed.text);
  for (const { key, signature } of m.value.known) {
    if (!ed25519(signature.signature, message, key.publicKey)) {
      return err("bad-signature", `signature from pinned key ${key.name}+${keyIdHex(key.keyId)} does not verify`);
    }
  }
  if (m.value.known.length === 0) return err("unknown-key", "no signature from a pinned key");
  return ok({ text: parsed.text, verifiedBy: m.value.known.map((k) => k.key), unknownSignatures: m.value.unknown });
}

/**
 * Opens a signed note (C2SP signed-note; x/mod note.Open): parses it strictly, ignores signatures whose
 * (name, key ID) is not pinned, and fails if any pinned key's signature does not verify ("bad-signature"),
 * if a pinned key signed twice, or if no pinned key signed ("unknown-key"). Only then is the text usable.
 */
export function openNote(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): Result<OpenedNote, OpenNoteErrorCode> {
  const parsed = parseSignedNote(note);
  if (!parsed.ok) return parsed;
  return verifyParsedNote(parsed.value, verifiers);
}

/**
 * Signs text into a note: text, blank line, one Ed25519 signature line per signer in order. The text must
 * end with a newline and be valid UTF-8 without control characters other than newline ("malformed");
 * signers need valid names and 32-byte seeds, at least one, no key twice ("bad-signer").
 */
export function signNote(text: string, signers: readonly NoteSigner[]): Result<string, "malformed" | "bad-signer"> {
  const bad = noteTextProblem(text);
  if (bad) return err("malformed", bad);
  if (signers.length === 0) return err("bad-signer", "a note needs at least one signature");
  if (signers.length > MAX_NOTE_SIGNATURES) return err("bad-signer", `at most ${MAX_NOTE_SIGNATURES} signatures`);
  const keys: NoteVerifier[] = [];
  for (const s of signers) {
    if (!isValidKeyName(s.name)) return err("bad-signer", `invalid key name ${JSON.stringify(s.name)}`);
    if (s.secretKey.length !== 32) return err("bad-signer", `seed of ${s.name} is not 32 bytes`);
    const v = signerVerifier(s);
    // A verifier refuses a note with two lines from one key, so never write one.
    if (keys.some((k) => k.name === v.name && k.keyId === v.keyId))
      return err("bad-signer", `key ${v.name}+${keyIdHex(v.keyId)} given twice`);
    keys.push(v);
  }
  const message = utf8(text);
  let out = `${text}\n`;
  signers.forEach((s, i) => {
    out += formatSignatureLine(s.name, keys[i]!.keyId, sign(message, s.secretKey));
  });
  return ok(out);
}
