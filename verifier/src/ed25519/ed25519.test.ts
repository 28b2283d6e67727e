import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../bytes/compare.js";
import { fromHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import { generateKeyPair, publicKeyOf, sign, verify } from "./ed25519.js";

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function le(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function toLe32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

describe("ed25519 API", () => {
  it("generates a key pair that signs and verifies", () => {
    const { secretKey, publicKey } = generateKeyPair();
    expect(secretKey.length).toBe(32);
    expect(publicKey).toEqual(publicKeyOf(secretKey));
    const message = utf8("walwarden");
    const signature = sign(message, secretKey);
    expect(signature.length).toBe(64);
    expect(verify(signature, message, publicKey)).toBe(true);
    // RFC 8032 signing is deterministic.
    expect(sign(message, secretKey)).toEqual(signature);
  });

  it("rejects a signature over another message or under another key", () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const signature = sign(utf8("one"), a.secretKey);
    expect(verify(signature, utf8("two"), a.publicKey)).toBe(false);
    expect(verify(signature, utf8("one"), b.publicKey)).toBe(false);
  });

  it("rejects S + L, the classic malleated signature (RFC 8032 §5.1.7 requires S < L)", () => {
    const { secretKey, publicKey } = generateKeyPair();
    const message = utf8("malleable?");
    const signature = sign(message, secretKey);
    const s = le(signature.subarray(32));
    expect(s + L < 2n ** 256n).toBe(true);
    expect(verify(concatBytes(signature.subarray(0, 32), toLe32(s + L)), message, publicKey)).toBe(false);
  });

  it("returns false instead of throwing for malformed input", () => {
    const { secretKey, publicKey } = generateKeyPair();
    const message = utf8("m");
    const signature = sign(message, secretKey);
    for (const n of [0, 31, 63, 65, 128]) expect(verify(new Uint8Array(n), message, publicKey)).toBe(false);
    for (const n of [0, 31, 33, 64]) expect(verify(signature, message, new Uint8Array(n))).toBe(false);
    // y = 2 is not the y-coordinate of any curve point; y = p = 2^255 - 19 is a non-canonical spelling of y = 0.
    const notOnCurve = fromHex("0200000000000000000000000000000000000000000000000000000000000000")!;
    const yIsP = fromHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")!;
    expect(verify(signature, message, notOnCurve)).toBe(false);
    expect(verify(signature, message, yIsP)).toBe(false);
    expect(verify(concatBytes(notOnCurve, signature.subarray(32)), message, publicKey)).toBe(false);
    expect(verify(new Uint8Array(64).fill(0xff), message, publicKey)).toBe(false);
  });

  it("verifies its own signatures and rejects any one-bit change (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat({ max: 64 * 8 - 1 }),
        (seed, message, bit) => {
          const publicKey = publicKeyOf(seed);
          const signature = sign(message, seed);
          expect(verify(signature, message, publicKey)).toBe(true);
          const flipped = signature.slice();
          flipped[bit >> 3]! ^= 1 << (bit & 7);
          expect(verify(flipped, message, publicKey)).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });
});
