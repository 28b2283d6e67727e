const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * A new id `<prefix>_<10 chars of time><16 random chars>` (Crockford base32, lower case). Ids sort by
 * creation time, which keyset pagination relies on; 80 random bits make collisions irrelevant.
 */
export function newId(prefix: string, now = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = crypto.getRandomValues(new Uint8Array(16));
  let tail = "";
  for (const b of random) tail += ALPHABET[b % 32];
  return `${prefix}_${time}${tail}`;
}
