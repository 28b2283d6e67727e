import { fromBase64, toBase64 } from "../bytes/base64.js";
import { concatBytes } from "../bytes/compare.js";
import { err, ok, type Result } from "../result.js";
import {
  keyIdHex,
  keyIdOfKeyBytes,
  noteKeyId,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
} from "./key-id.js";
import { isValidKeyName } from "./key-name.js";

/** A pinned key that verifies plain Ed25519 note signatures (signature type 0x01), e.g. a log's checkpoint key. */
export interface NoteVerifier {
  readonly name: string;
  readonly signatureType: typeof SIGNATURE_TYPE_ED25519;
  /** C2SP key ID, uint32. */
  readonly keyId: number;
  /** 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
}

/** Why a vkey (or signer key) string was refused. */
export type VkeyErrorCode = "malformed" | "wrong-key-id" | "unknown-algorithm";

/** A vkey decoded without regard to its signature type (the per-type parsers check that). */
export interface DecodedVkey {
  name: string;
  keyId: number;
  signatureType: number;
  publicKey: Uint8Array;
}

const NAMES: Record<number, string> = {
  [SIGNATURE_TYPE_ED25519]: "Ed25519 (0x01)",
  [SIGNATURE_TYPE_COSIGNATURE_V1]: "cosignature/v1 (0x04)",
};
const typeName = (t: number) => NAMES[t] ?? `0x${t.toString(16).padStart(2, "0")}`;

/** Splits `a+b+rest` at the first two '+' (names cannot hold '+'; base64 can, so rest is taken whole). */
function splitVkey(s: string): [string, string, string] | undefined {
  const i = s.indexOf("+");
  const j = i < 0 ? -1 : s.indexOf("+", i + 1);
  return j < 0 ? undefined : [s.slice(0, i), s.slice(i + 1, j), s.slice(j + 1)];
}

/**
 * Decodes `name+hex8(keyID)+base64(type ‖ public key)` and checks the key ID, the expected signature type
 * and (both types being Ed25519) a 32-byte key. Shared by the note-key and cosigner-key parsers.
 */
export function decodeVkey(vkey: string, expectedType: number): Result<DecodedVkey, VkeyErrorCode> {
  const parts = splitVkey(vkey);
  if (!parts) return err("malformed", "a vkey is name+keyid+key");
  const [name, hex, b64] = parts;
  if (!isValidKeyName(name)) return err("malformed", `invalid key name ${JSON.stringify(name)}`);
  // x/mod parses the ID with ParseUint(hex, 16, 32) after a length check, so either case is accepted.
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) return err("malformed", "key ID must be 8 hex digits");
  const keyBytes = fromBase64(b64);
  if (!keyBytes || keyBytes.length === 0) return err("malformed", "key is not canonical base64");
  const keyId = parseInt(hex, 16);
  // As in x/mod, the ID is checked over the raw key bytes first, so a key with a foreign type still has to
  // be internally consistent before we complain about its type.
  if (keyIdOfKeyBytes(name, keyBytes) !== keyId)
    return err("wrong-key-id", `key ID ${hex} does not match name and key`);
  const signatureType = keyBytes[0]!;
  if (signatureType !== expectedType) {
    return err(
      "unknown-algorithm",
      `signature type ${typeName(signatureType)} where ${typeName(expectedType)} is required`,
    );
  }
  if (keyBytes.length !== 33) return err("malformed", `an Ed25519 key is 32 bytes, got ${keyBytes.length - 1}`);
  return ok({ name, keyId, signatureType, publicKey: keyBytes.slice(1) });
}

/** Encodes a vkey; throws RangeError on an invalid name or a public key that is not 32 bytes (a programming error). */
export function encodeVkey(name: string, signatureType: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new RangeError(`invalid key name ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) throw new RangeError("an Ed25519 public key is 32 bytes");
  const keyId = noteKeyId(name, signatureType, publicKey);
  return `${name}+${keyIdHex(keyId)}+${toBase64(concatBytes(Uint8Array.of(signatureType), publicKey))}`;
}

/** The note verifier of a name and an Ed25519 public key; throws RangeError if either is invalid. */
export function noteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new RangeError(`invalid key name ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) throw new RangeError("an Ed25519 public key is 32 bytes");
  return {
    name,
    signatureType: SIGNATURE_TYPE_ED25519,
    keyId: noteKeyId(name, SIGNATURE_TYPE_ED25519, publicKey),
    publicKey: publicKey.slice(),
  };
}

/** The Ed25519 vkey `name+hex8(keyID)+base64(0x01 ‖ pubkey)`; throws RangeError on an invalid name or key. */
export function formatVkey(name: string, publicKey: Uint8Array): string {
  return encodeVkey(name, SIGNATURE_TYPE_ED25519, publicKey);
}

/**
 * Parses an Ed25519 note vkey. Refuses a bad name, ID or base64 ("malformed"), an ID that is not the key's
 * ("wrong-key-id"), and any signature type other than 0x01 ("unknown-algorithm"; cosigner keys have their
 * own parser).
 */
export function parseVkey(vkey: string): Result<NoteVerifier, VkeyErrorCode> {
  const d = decodeVkey(vkey, SIGNATURE_TYPE_ED25519);
  if (!d.ok) return d;
  return ok({
    name: d.value.name,
    signatureType: SIGNATURE_TYPE_ED25519,
    keyId: d.value.keyId,
    publicKey: d.value.publicKey,
  });
}
