import type { Ed25519Verify } from "../ed25519/ed25519.js";
import { fromBase64, toBase64 } from "../bytes/base64.js";
import { err, ok, type Result } from "../result.js";
import { parseSignedNote } from "./note-format.js";
import { noteCharsProblem, noteTextProblem } from "./note-text.js";
import { signNote, verifyParsedNote, type OpenNoteErrorCode } from "./signed-note.js";
import type { NoteSigner } from "./signer.js";
import type { NoteVerifier } from "./vkey.js";

/** Largest tree size a checkpoint may state: sizes are uint64 on the wire, and signed 64-bit in most logs. */
export const MAX_TREE_SIZE = 2n ** 63n - 1n;

/** A C2SP tlog-checkpoint body. */
export interface Checkpoint {
  /** Log identity, first line. */
  readonly origin: string;
  /** Number of leaves, exact (bigint: sizes run to 2^63 − 1). */
  readonly size: bigint;
  /** RFC 6962 Merkle root at that size, 32 bytes. */
  readonly rootHash: Uint8Array;
  /** Opaque non-empty lines after the root, in order. */
  readonly extensions: readonly string[];
}

/** What formatCheckpoint and signCheckpoint take: a Checkpoint whose size may be a safe-integer number. */
export interface CheckpointInput {
  origin: string;
  size: bigint | number;
  rootHash: Uint8Array;
  extensions?: readonly string[];
}

/** A checkpoint whose note verified, with the pinned keys that signed it. */
export interface VerifiedCheckpoint extends Checkpoint {
  readonly verifiedBy: readonly NoteVerifier[];
}

/** Why a checkpoint was refused. */
export type CheckpointErrorCode = OpenNoteErrorCode | "wrong-origin";

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const EDGE_SPACE = /^\p{White_Space}|\p{White_Space}$/u;

/**
 * Why a string cannot be a checkpoint origin. The spec only requires non-empty; we also refuse leading or
 * trailing Unicode whitespace, since origins are compared byte for byte and such padding only confuses.
 */
function originProblem(origin: string): string | undefined {
  if (origin.length === 0) return "origin is empty";
  if (origin.includes("\n")) return "origin contains a newline";
  if (EDGE_SPACE.test(origin)) return "origin has leading or trailing whitespace";
  return noteCharsProblem(origin);
}

/**
 * Parses a checkpoint body: `origin\nsize\nbase64(root)\n` then optional extension lines, each
 * newline-terminated and non-empty. Size is ASCII decimal without leading zeros (except "0"), ≤ 2^63 − 1;
 * the root is canonical base64 of exactly 32 bytes.
 */
export function parseCheckpoint(body: string): Result<Checkpoint, "malformed"> {
  const bad = noteTextProblem(body);
  if (bad) return err("malformed", `checkpoint ${bad}`);
  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3) return err("malformed", "a checkpoint has at least origin, size and root hash lines");
  if (lines.some((l) => l.length === 0)) return err("malformed", "checkpoint lines must be non-empty");
  const [origin, sizeText, rootText] = lines as [string, string, string];
  const badOrigin = originProblem(origin);
  if (badOrigin) return err("malformed", badOrigin);
  // At most 19 digits keeps BigInt() cheap on hostile input; 2^63 − 1 itself has 19.
  if (!DECIMAL.test(sizeText) || sizeText.length > 19)
    return err("malformed", "tree size is not a decimal without leading zeros");
  const size = BigInt(sizeText);
  if (size > MAX_TREE_SIZE) return err("malformed", "tree size exceeds 2^63 − 1");
  const rootHash = fromBase64(rootText);
  if (!rootHash) return err("malformed", "root hash is not canonical base64");
  if (rootHash.length !== 32) return err("malformed", `root hash is ${rootHash.length} bytes, not 32`);
  return ok({ origin, size, rootHash, extensions: lines.slice(3) });
}

/** Formats a checkpoint body, refusing ("malformed") anything parseCheckpoint would not read back identically. */
export function formatCheckpoint(c: CheckpointInput): Result<string, "malformed"> {
  const badOrigin = originProblem(c.origin);
  if (badOrigin) return err("malformed", badOrigin);
  let size: bigint;
  if (typeof c.size === "bigint") size = c.size;
  else if (Number.isSafeInteger(c.size)) size = BigInt(c.size);
  else return err("malformed", "tree size must be a bigint or a safe integer");
  if (size < 0n || size > MAX_TREE_SIZE) return err("malformed", "tree size must lie in [0, 2^63 − 1]");
  if (c.rootHash.length !== 32) return err("malformed", `root hash is ${c.rootHash.length} bytes, not 32`);
  const extensions = c.extensions ?? [];
  for (const e of extensions) {
    if (e.length === 0 || e.includes("\n")) return err("malformed", "extension lines must be non-empty single lines");
  }
  const body = `${[c.origin, size.toString(), toBase64(c.rootHash), ...extensions].join("\n")}\n`;
  const check = parseCheckpoint(body);
  return check.ok ? ok(body) : check;
}

/**
 * Signs a checkpoint into a note with one Ed25519 signature. The signer's name need not equal the origin:
 * the spec only says it SHOULD, and Walwarden's key names carry a role suffix.
 */
export function signCheckpoint(c: CheckpointInput, signer: NoteSigner): Result<string, "malformed" | "bad-signer"> {
  const body = formatCheckpoint(c);
  return body.ok ? signNote(body.value, [signer]) : body;
}

/**
 * Reads the checkpoint of a signed note WITHOUT verifying any signature: for filing or routing notes whose
 * signatures will be checked elsewhere, never for trusting their content.
 */
export function parseCheckpointNote(note: string | Uint8Array): Result<Checkpoint, "malformed"> {
  const parsed = parseSignedNote(note);
  return parsed.ok ? parseCheckpoint(parsed.value.text) : parsed;
}

/**
 * Verifies a signed checkpoint: the note is well-formed, its body is a checkpoint for expectedOrigin
 * ("wrong-origin"), and at least one pinned key signed it with no pinned key's signature failing (the
 * signed-note rules of openNote). Key names are not compared with the origin; the pinned keys decide.
 */
export function verifyCheckpoint(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  expectedOrigin: string,
  ed25519?: Ed25519Verify,
): Result<VerifiedCheckpoint, CheckpointErrorCode> {
  const parsed = parseSignedNote(note);
  if (!parsed.ok) return parsed;
  const cp = parseCheckpoint(parsed.value.text);
  if (!cp.ok) return cp;
  // Checked before the signatures so that a checkpoint of another log says so, rather than "unknown-key".
  if (cp.value.origin !== expectedOrigin) {
    return err(
      "wrong-origin",
      `checkpoint is for ${JSON.stringify(cp.value.origin)}, expected ${JSON.stringify(expectedOrigin)}`,
    );
  }
  const opened = verifyParsedNote(parsed.value, verifiers, ed25519);
  if (!opened.ok) return opened;
  return ok({ ...cp.value, verifiedBy: opened.value.verifiedBy });
}
