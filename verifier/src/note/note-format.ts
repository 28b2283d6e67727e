import { fromBase64, toBase64 } from "../bytes/base64.js";
import { concatBytes } from "../bytes/compare.js";
import { err, ok, type Result } from "../result.js";
import { keyIdBytes } from "./key-id.js";
import { isValidKeyName } from "./key-name.js";
import { noteCharsProblem } from "./note-text.js";

/**
 * Most signature lines a note may carry. x/mod's limit; the spec requires accepting at least 16 and
 * asks for a cap so that a note cannot make us verify without end.
 */
export const MAX_NOTE_SIGNATURES = 100;

/** One signature line of a note, decoded but not verified. */
export interface NoteSignature {
  /** Key name on the line. */
  readonly name: string;
  /** Key ID: the first 4 signature bytes, big-endian. */
  readonly keyId: number;
  /** The signature bytes after the key ID (algorithm-specific). */
  readonly signature: Uint8Array;
  /** The whole line without its newline, as it appeared. */
  readonly line: string;
}

/** A note split into its text and signature lines. */
export interface ParsedNote {
  /** The signed text, including its final newline but not the separating blank line. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** The prefix of every signature line: em dash U+2014, space. */
export const SIGNATURE_PREFIX = "\u2014 ";

// ignoreBOM: a leading U+FEFF is note text like any other character; the default decoder would drop it
// and so change the text without failing. (Passed as a variable: globals.d.ts only declares `fatal`.)
const decoderOptions = { fatal: true, ignoreBOM: true };
const strictUtf8 = new TextDecoder("utf-8", decoderOptions);

/** A note's bytes as a string, or undefined if they are not valid UTF-8. */
export function decodeNote(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Formats one signature line, newline included: `— name base64(keyID ‖ signature)`. */
export function formatSignatureLine(name: string, keyId: number, signature: Uint8Array): string {
  return `${SIGNATURE_PREFIX}${name} ${toBase64(concatBytes(keyIdBytes(keyId), signature))}\n`;
}

/**
 * Splits a signed note into text and signature lines, strictly (C2SP signed-note, Format; x/mod Open):
 * valid UTF-8, no control characters but newline, text separated from the signatures by the last blank
 * line, every following line `— <valid name> <canonical base64 of ≥ 5 bytes>`, newline-terminated, at
 * most MAX_NOTE_SIGNATURES of them. Verifies nothing.
 */
export function parseSignedNote(note: string | Uint8Array): Result<ParsedNote, "malformed"> {
  const s = typeof note === "string" ? note : decodeNote(note);
  if (s === undefined) return err("malformed", "note is not valid UTF-8");
  const bad = noteCharsProblem(s);
  if (bad) return err("malformed", `note ${bad}`);
  const split = s.lastIndexOf("\n\n");
  if (split < 0) return err("malformed", "no blank line before the signatures");
  const text = s.slice(0, split + 1);
  const block = s.slice(split + 2);
  if (block.length === 0 || !block.endsWith("\n"))
    return err("malformed", "signature block is empty or does not end with a newline");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_NOTE_SIGNATURES) return err("malformed", `more than ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX))
      return err("malformed", "signature line does not start with an em dash and a space");
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const sp = rest.indexOf(" ");
    if (sp < 0) return err("malformed", "signature line has no space between name and signature");
    const name = rest.slice(0, sp);
    const bytes = fromBase64(rest.slice(sp + 1));
    if (!isValidKeyName(name)) return err("malformed", `invalid key name ${JSON.stringify(name)} on a signature line`);
    if (!bytes) return err("malformed", `signature of ${name} is not canonical base64`);
    if (bytes.length < 5) return err("malformed", `signature of ${name} is shorter than a key ID and one byte`);
    const keyId = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    signatures.push({ name, keyId, signature: bytes.slice(4), line });
  }
  return ok({ text, signatures });
}
