import { fromHex } from "../bytes/hex.js";
import { portableSha256, type Sha256 } from "../hash/sha256.js";

/** Bytes in every Merkle hash (SHA-256). */
export const HASH_SIZE = 32;

/**
 * RFC 9162 root of the empty tree: SHA-256 of the empty string. Shared, so never mutate it; functions
 * that return the empty root return a copy.
 */
export const EMPTY_ROOT: Uint8Array = fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")!;

/** RFC 9162 leaf hash: SHA-256(0x00 ‖ entry). */
export function leafHash(entry: Uint8Array, h: Sha256 = portableSha256): Uint8Array {
  return h.digestPrefixed(0x00, entry);
}

/** RFC 9162 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array, h: Sha256 = portableSha256): Uint8Array {
  return h.digestPrefixed(0x01, left, right);
}

/** True when every value is a 32-byte hash (proof hashes are checked before any hashing). */
export function allHashes(values: readonly Uint8Array[]): boolean {
  for (const v of values) if (!(v instanceof Uint8Array) || v.length !== HASH_SIZE) return false;
  return true;
}
