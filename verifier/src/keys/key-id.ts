import { concatBytes } from "../bytes/compare.js";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import { sha256 } from "../hash/sha256.js";

/** The signature algorithm byte of Ed25519 keys in C2SP signed notes. */
export const ALG_ED25519 = 0x01;

/** C2SP key ID: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ alg ‖ pubkey). */
export function keyIdBytes(name: string, publicKey: Uint8Array, alg = ALG_ED25519): Uint8Array {
  return sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, alg), publicKey)).subarray(0, 4);
}

/** The DSSE `keyid` Walwarden writes: `name+hex(C2SP key ID)`, the vkey without its public key. */
export function dsseKeyId(name: string, publicKey: Uint8Array): string {
  return `${name}+${toHex(keyIdBytes(name, publicKey))}`;
}
