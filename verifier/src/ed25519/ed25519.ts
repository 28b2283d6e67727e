import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";

ed.hashes.sha512 = sha512;

/** An Ed25519 key pair; the secret key is the 32-byte RFC 8032 seed. */
export interface Ed25519KeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** A fresh random Ed25519 key pair (uses the platform's crypto.getRandomValues). */
export function generateKeyPair(): Ed25519KeyPair {
  const secretKey = ed.utils.randomSecretKey();
  return { secretKey, publicKey: ed.getPublicKey(secretKey) };
}

/** The Ed25519 public key of a 32-byte seed. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed.getPublicKey(secretKey);
}

/** RFC 8032 Ed25519 signature (64 bytes) of message with a 32-byte seed. */
export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ed.sign(message, secretKey);
}

/**
 * Strict RFC 8032 verification (policy: POLICY.md, to become SPEC.md §Ed25519). Rejects wrong lengths,
 * non-canonical or off-curve encodings of R and A, S ≥ L, and small-order public keys; then checks the
 * cofactored equation [8][S]B = [8]R + [8][k]A. Never throws: malformed input is simply not a valid signature.
 */
export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** A signature check with the same contract as `verify`: strict, never throws. Node may pass a native one. */
export type Ed25519Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/** True if a public key passes the strict policy's key checks: canonical encoding and not of small order. */
export function isStrictPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32) return false;
  try {
    return !ed.Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}
