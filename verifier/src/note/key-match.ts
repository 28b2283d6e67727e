import { bytesEqual } from "../bytes/compare.js";
import { err, ok, type Result } from "../result.js";
import { keyIdHex, noteKeyId } from "./key-id.js";
import { isValidKeyName } from "./key-name.js";
import type { NoteSignature } from "./note-format.js";

/** What every pinned key (note verifier or cosigner) carries. */
export interface PinnedKey {
  readonly name: string;
  readonly signatureType: number;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
}

/** Why signature lines could not be matched to pinned keys. */
export type MatchErrorCode = "bad-verifier" | "ambiguous-key" | "duplicate-signature";

/** Signature lines sorted into those of pinned keys (each with its key) and the rest. */
export interface MatchedSignatures<K> {
  known: { key: K; signature: NoteSignature }[];
  /** Lines of keys we do not pin, identical repeats dropped (as x/mod does). */
  unknown: NoteSignature[];
}

/**
 * Pairs signature lines with pinned keys by the exact (name, key ID) tuple, as the spec requires: a line that
 * shares only the name or only the ID with a pinned key is someone else's and is ignored. Refuses pinned keys
 * that are not what they claim (wrong type, name, size or key ID), a tuple pinned twice with different keys
 * (x/mod's "ambiguous key", only when a line uses it), and a second line from the same pinned key.
 */
export function matchSignatures<K extends PinnedKey>(
  signatures: readonly NoteSignature[],
  keys: readonly K[],
  signatureType: number,
): Result<MatchedSignatures<K>, MatchErrorCode> {
  const byId = new Map<string, K[]>();
  for (const k of keys) {
    if (
      k.signatureType !== signatureType ||
      !isValidKeyName(k.name) ||
      k.publicKey.length !== 32 ||
      k.keyId !== noteKeyId(k.name, signatureType, k.publicKey)
    ) {
      return err(
        "bad-verifier",
        `pinned key ${JSON.stringify(k.name)} is not a valid key of signature type 0x${signatureType.toString(16).padStart(2, "0")}`,
      );
    }
    const id = `${k.name}\n${k.keyId}`;
    const list = byId.get(id) ?? [];
    // The same key listed twice is harmless; two different keys under one (name, ID) are not.
    if (!list.some((o) => bytesEqual(o.publicKey, k.publicKey))) list.push(k);
    byId.set(id, list);
  }
  const known: MatchedSignatures<K>["known"] = [];
  const unknown: NoteSignature[] = [];
  const seenKnown = new Set<string>();
  const seenUnknown = new Set<string>();
  for (const signature of signatures) {
    const id = `${signature.name}\n${signature.keyId}`;
    const candidates = byId.get(id);
    const label = `${signature.name}+${keyIdHex(signature.keyId)}`;
    if (!candidates) {
      if (!seenUnknown.has(signature.line)) unknown.push(signature);
      seenUnknown.add(signature.line);
      continue;
    }
    if (candidates.length > 1)
      return err("ambiguous-key", `key ${label} is pinned more than once with different public keys`);
    // x/mod skips later lines of the same key unverified; we refuse them, so that every line from a pinned key
    // is checked and a note has one meaning.
    if (seenKnown.has(id)) return err("duplicate-signature", `more than one signature from key ${label}`);
    seenKnown.add(id);
    known.push({ key: candidates[0]!, signature });
  }
  return ok({ known, unknown });
}
