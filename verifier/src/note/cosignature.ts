import { concatBytes } from "../bytes/compare.js";
import { utf8 } from "../bytes/utf8.js";
import { publicKeyOf, sign, verify } from "../ed25519/ed25519.js";
import { err, ok, type Result } from "../result.js";
import { parseCheckpoint } from "./checkpoint.js";
import { keyIdHex, noteKeyId, SIGNATURE_TYPE_COSIGNATURE_V1 } from "./key-id.js";
import { isValidKeyName } from "./key-name.js";
import { matchSignatures, type MatchErrorCode } from "./key-match.js";
import { formatSignatureLine, parseSignedNote, type NoteSignature } from "./note-format.js";
import type { NoteSigner } from "./signer.js";
import { decodeVkey, encodeVkey, type VkeyErrorCode } from "./vkey.js";

/** A pinned witness key for Ed25519 cosignature/v1 (signature type 0x04). */
export interface CosignerKey {
  readonly name: string;
  readonly signatureType: typeof SIGNATURE_TYPE_COSIGNATURE_V1;
  /** C2SP key ID over type 0x04: SHA-256(name ‖ 0x0A ‖ 0x04 ‖ pubkey)[:4]. */
  readonly keyId: number;
  readonly publicKey: Uint8Array;
}

/** A verified witness cosignature. */
export interface WitnessCosignature {
  readonly witness: CosignerKey;
  /** POSIX seconds the witness signed at, exact (≤ 2^63 − 1). */
  readonly timestamp: bigint;
}

/** Why cosignatures were refused. */
export type CosignatureErrorCode = "malformed" | MatchErrorCode | "bad-signature" | "quorum";

/** Largest timestamp a cosignature may carry (tlog-cosignature: MUST NOT exceed 2^63 − 1). */
export const MAX_COSIGNATURE_TIMESTAMP = 2n ** 63n - 1n;

const ED25519_COSIGNATURE_BYTES = 8 + 64;

/** The cosigner key of a name and Ed25519 public key; throws RangeError if either is invalid. */
export function cosignerKey(name: string, publicKey: Uint8Array): CosignerKey {
  if (!isValidKeyName(name)) throw new RangeError(`invalid key name ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) throw new RangeError("an Ed25519 public key is 32 bytes");
  return {
    name,
    signatureType: SIGNATURE_TYPE_COSIGNATURE_V1,
    keyId: noteKeyId(name, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey),
    publicKey: publicKey.slice(),
  };
}

/** The cosigner key a witness signer signs as; throws RangeError if the signer is invalid. */
export function cosignerOf(witness: NoteSigner): CosignerKey {
  if (witness.secretKey.length !== 32) throw new RangeError("an Ed25519 seed is 32 bytes");
  return cosignerKey(witness.name, publicKeyOf(witness.secretKey));
}

/** The cosigner vkey `name+hex8(keyID)+base64(0x04 ‖ pubkey)`; throws RangeError on an invalid name or key. */
export function formatCosignerVkey(name: string, publicKey: Uint8Array): string {
  return encodeVkey(name, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey);
}

/** Parses a cosigner vkey; only type 0x04 is accepted (a 0x01 note key is "unknown-algorithm" here). */
export function parseCosignerVkey(vkey: string): Result<CosignerKey, VkeyErrorCode> {
  const d = decodeVkey(vkey, SIGNATURE_TYPE_COSIGNATURE_V1);
  if (!d.ok) return d;
  return ok({
    name: d.value.name,
    signatureType: SIGNATURE_TYPE_COSIGNATURE_V1,
    keyId: d.value.keyId,
    publicKey: d.value.publicKey,
  });
}

/** The message an Ed25519 cosignature/v1 signs: `cosignature/v1\ntime <decimal>\n` then the whole checkpoint body. */
export function cosignatureMessage(body: string, timestamp: bigint): Uint8Array {
  return utf8(`cosignature/v1\ntime ${timestamp.toString()}\n${body}`);
}

function u64(t: bigint): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 7, v = t; i >= 0; i--, v >>= 8n) out[i] = Number(v & 255n);
  return out;
}

/**
 * The timestamp of a signature line if it has the shape of an Ed25519 cosignature (8 + 64 bytes after the
 * key ID), else undefined. Unverified: for display and diagnosis only.
 */
export function cosignatureTimestamp(signature: NoteSignature): bigint | undefined {
  const s = signature.signature;
  if (s.length !== ED25519_COSIGNATURE_BYTES) return undefined;
  let t = 0n;
  for (let i = 0; i < 8; i++) t = (t << 8n) | BigInt(s[i]!);
  return t;
}

/**
 * A witness's cosignature/v1 line (newline included) for a checkpoint body, to append to the signed
 * checkpoint: `— name base64(keyID ‖ u64be(timestamp) ‖ Ed25519(message))`. The body must parse as a
 * checkpoint ("malformed"); the timestamp must be an integer in [0, 2^63 − 1] ("bad-timestamp").
 */
export function cosignCheckpoint(
  body: string,
  witness: NoteSigner,
  timestamp: number | bigint,
): Result<string, "malformed" | "bad-signer" | "bad-timestamp"> {
  const cp = parseCheckpoint(body);
  if (!cp.ok) return cp;
  if (!isValidKeyName(witness.name) || witness.secretKey.length !== 32)
    return err("bad-signer", "witness needs a valid name and a 32-byte seed");
  if (typeof timestamp === "number" && !Number.isSafeInteger(timestamp))
    return err("bad-timestamp", "timestamp must be an integer");
  const t = BigInt(timestamp);
  if (t < 0n || t > MAX_COSIGNATURE_TIMESTAMP) return err("bad-timestamp", "timestamp must lie in [0, 2^63 − 1]");
  const key = cosignerOf(witness);
  const sig = sign(cosignatureMessage(body, t), witness.secretKey);
  return ok(formatSignatureLine(key.name, key.keyId, concatBytes(u64(t), sig)));
}

/**
 * Verifies the cosignatures of pinned witnesses on a signed checkpoint. Lines of other keys (the log's own
 * signature among them) are ignored; a pinned witness's line that does not verify, or whose timestamp
 * exceeds 2^63 − 1, fails the whole note ("bad-signature"), as does a witness cosigning twice. At least
 * `quorum` distinct witnesses must have cosigned ("quorum"). The log's signature is NOT checked here: use
 * verifyCheckpoint on the same note for that.
 */
export function verifyCosignatures(
  note: string | Uint8Array,
  witnesses: readonly CosignerKey[],
  quorum = 1,
): Result<WitnessCosignature[], CosignatureErrorCode> {
  const parsed = parseSignedNote(note);
  if (!parsed.ok) return parsed;
  const body = parsed.value.text;
  const cp = parseCheckpoint(body);
  if (!cp.ok) return cp;
  const m = matchSignatures(parsed.value.signatures, witnesses, SIGNATURE_TYPE_COSIGNATURE_V1);
  if (!m.ok) return m;
  const out: WitnessCosignature[] = [];
  for (const { key, signature } of m.value.known) {
    const label = `${key.name}+${keyIdHex(key.keyId)}`;
    const timestamp = cosignatureTimestamp(signature);
    if (timestamp === undefined) return err("bad-signature", `cosignature from ${label} is not 8 + 64 bytes`);
    if (timestamp > MAX_COSIGNATURE_TIMESTAMP)
      return err("bad-signature", `cosignature from ${label} has a timestamp above 2^63 − 1`);
    if (!verify(signature.signature.subarray(8), cosignatureMessage(body, timestamp), key.publicKey)) {
      return err("bad-signature", `cosignature from ${label} does not verify`);
    }
    out.push({ witness: key, timestamp });
  }
  if (out.length < quorum) return err("quorum", `${out.length} pinned witness(es) cosigned, ${quorum} required`);
  return ok(out);
}
