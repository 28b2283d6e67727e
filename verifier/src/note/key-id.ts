import { concatBytes } from "../bytes/compare.js";
import { utf8 } from "../bytes/utf8.js";
import { sha256 } from "../hash/sha256.js";

/** Signature type byte of plain Ed25519 note signatures (C2SP signed-note). */
export const SIGNATURE_TYPE_ED25519 = 0x01;
/** Signature type byte of timestamped Ed25519 witness cosignatures (C2SP tlog-cosignature, cosignature/v1). */
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

/** C2SP key ID as a uint32: SHA-256(name ‖ 0x0A ‖ signature type ‖ public key)[:4], big-endian. */
export function noteKeyId(name: string, signatureType: number, publicKey: Uint8Array): number {
  return keyIdOfKeyBytes(name, concatBytes(Uint8Array.of(signatureType), publicKey));
}

/** The key ID over already-encoded key bytes (signature type ‖ public key), as a vkey carries them. */
export function keyIdOfKeyBytes(name: string, keyBytes: Uint8Array): number {
  const h = sha256(concatBytes(utf8(name), Uint8Array.of(0x0a), keyBytes));
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

/** A key ID as the 8 lower-case hex digits vkeys use. */
export function keyIdHex(keyId: number): string {
  return keyId.toString(16).padStart(8, "0");
}

/** A key ID as the 4 big-endian bytes that open a signature. */
export function keyIdBytes(keyId: number): Uint8Array {
  return Uint8Array.of(keyId >>> 24, (keyId >>> 16) & 255, (keyId >>> 8) & 255, keyId & 255);
}
