import { fromBase64, toBase64 } from "../bytes/base64.js";
import { concatBytes } from "../bytes/compare.js";
import { toHex } from "../bytes/hex.js";
import { publicKeyOf } from "../ed25519/ed25519.js";
import { err, ok, type Result } from "../result.js";
import { keyIdHex, noteKeyId, SIGNATURE_TYPE_ED25519 } from "./key-id.js";
import { isValidKeyName } from "./key-name.js";
import { noteVerifier, type NoteVerifier, type VkeyErrorCode } from "./vkey.js";

/** A named Ed25519 signing key: the name goes on the signature line, the 32-byte RFC 8032 seed signs. */
export interface NoteSigner {
  readonly name: string;
  readonly secretKey: Uint8Array;
}

// Deriving a public key is a scalar multiplication, as costly as half a signature, and a long-lived signer
// (the Ledger signs a checkpoint per append) would derive it every time. The last few are remembered, keyed
// by the seed's content and the name (never by object identity: a caller may reuse a buffer).
const RECENT = 8;
const recent = new Map<string, NoteVerifier>();

/** The verifier matching a signer (same name, public key and key ID); throws RangeError if the signer is invalid. */
export function signerVerifier(signer: NoteSigner): NoteVerifier {
  if (signer.secretKey.length !== 32) throw new RangeError("an Ed25519 seed is 32 bytes");
  const key = `${toHex(signer.secretKey)} ${signer.name}`;
  let v = recent.get(key);
  if (!v) {
    v = noteVerifier(signer.name, publicKeyOf(signer.secretKey));
    if (recent.size >= RECENT) recent.delete(recent.keys().next().value!);
    recent.set(key, v);
  }
  return v;
}

/**
 * The x/mod signer-key text `PRIVATE+KEY+name+hex8(keyID)+base64(0x01 ‖ seed)` (the key ID is that of the
 * public key). It is a secret. Throws RangeError if the signer is invalid.
 */
export function formatSignerKey(signer: NoteSigner): string {
  const v = signerVerifier(signer);
  return `PRIVATE+KEY+${v.name}+${keyIdHex(v.keyId)}+${toBase64(concatBytes(Uint8Array.of(SIGNATURE_TYPE_ED25519), signer.secretKey))}`;
}

/** Parses an x/mod signer key, checking that its key ID is that of the derived public key (as NewSigner does). */
export function parseSignerKey(skey: string): Result<NoteSigner, VkeyErrorCode> {
  if (!skey.startsWith("PRIVATE+KEY+")) return err("malformed", "a signer key starts with PRIVATE+KEY+");
  const rest = skey.slice("PRIVATE+KEY+".length);
  const i = rest.indexOf("+");
  const j = i < 0 ? -1 : rest.indexOf("+", i + 1);
  if (j < 0) return err("malformed", "a signer key is PRIVATE+KEY+name+keyid+key");
  const name = rest.slice(0, i);
  const hex = rest.slice(i + 1, j);
  const bytes = fromBase64(rest.slice(j + 1));
  if (!isValidKeyName(name)) return err("malformed", `invalid key name ${JSON.stringify(name)}`);
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) return err("malformed", "key ID must be 8 hex digits");
  if (!bytes || bytes.length === 0) return err("malformed", "key is not canonical base64");
  if (bytes[0] !== SIGNATURE_TYPE_ED25519)
    return err(
      "unknown-algorithm",
      `signature type 0x${bytes[0]!.toString(16).padStart(2, "0")} is not Ed25519 (0x01)`,
    );
  if (bytes.length !== 33) return err("malformed", "an Ed25519 seed is 32 bytes");
  const secretKey = bytes.slice(1);
  const expected = noteKeyId(name, SIGNATURE_TYPE_ED25519, publicKeyOf(secretKey));
  if (parseInt(hex, 16) !== expected)
    return err("wrong-key-id", `key ID ${hex} is not the ID of this key (${keyIdHex(expected)})`);
  return ok({ name, secretKey });
}
