import { keyIdHex, noteKeyId, SIGNATURE_TYPE_ED25519 } from "../note/key-id.js";

/** The DSSE `keyid` Walwarden writes: `name+hex(C2SP key ID)`, i.e. the key's vkey without the key itself. */
export function dsseKeyId(name: string, publicKey: Uint8Array): string {
  return `${name}+${keyIdHex(noteKeyId(name, SIGNATURE_TYPE_ED25519, publicKey))}`;
}
