import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

/** An incremental SHA-256 computation. */
export interface Sha256Stream {
  update(chunk: Uint8Array): Sha256Stream;
  digest(): Uint8Array;
}

/**
 * A SHA-256 implementation. The verifier's default is pure JavaScript (@noble/hashes) so it runs
 * anywhere; a Node program may pass a native one (`@walwarden/verifier/node`) for speed. Both must give
 * identical bytes, which the tests check.
 */
export interface Sha256 {
  /** SHA-256 of one byte string. */
  digest(data: Uint8Array): Uint8Array;
  /** SHA-256 of a one-byte prefix followed by data, without copying data (Merkle leaf and node hashing). */
  digestPrefixed(prefix: number, data: Uint8Array, more?: Uint8Array): Uint8Array;
  /** A new incremental computation, for inputs too large to hold in memory at once. */
  stream(): Sha256Stream;
}

/** The portable SHA-256 (pure JavaScript, @noble/hashes). */
export const portableSha256: Sha256 = {
  digest: (data) => nobleSha256(data),
  digestPrefixed(prefix, data, more) {
    const h = nobleSha256.create().update(Uint8Array.of(prefix)).update(data);
    if (more) h.update(more);
    return h.digest();
  },
  stream() {
    const h = nobleSha256.create();
    const s: Sha256Stream = {
      update(chunk) {
        h.update(chunk);
        return s;
      },
      digest: () => h.digest(),
    };
    return s;
  },
};

/** SHA-256 of bytes with the portable implementation. */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}
