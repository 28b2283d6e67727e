import { sha256, utf8 } from "@walwarden/verifier";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** Ten Crockford base32 characters of a time (epoch ms), most significant first: ids sort by them. */
function timeChars(ms: number): string {
  let time = "";
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time;
}

/** Sixteen base32 characters of bytes (5 bits of each, enough for 80 bits of the 16 bytes). */
function tailChars(bytes: Uint8Array): string {
  let tail = "";
  for (const b of bytes.subarray(0, 16)) tail += ALPHABET[b % 32];
  return tail;
}

/**
 * A new id `<prefix>_<10 chars of time><16 random chars>` (Crockford base32, lower case). Ids sort by
 * creation time, which keyset pagination relies on; 80 random bits make collisions irrelevant.
 */
export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}_${timeChars(now)}${tailChars(crypto.getRandomValues(new Uint8Array(16)))}`;
}

/**
 * An id shaped as newId's, for something that must have the same id however often it is made (a drill of
 * one policy slot): the time is `timeMs` and the 16 characters come from the SHA-256 of `seed`.
 */
export function derivedId(prefix: string, timeMs: number, seed: string): string {
  return `${prefix}_${timeChars(timeMs)}${tailChars(sha256(utf8(seed)))}`;
}
