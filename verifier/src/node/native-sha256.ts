import { createHash, hash } from "node:crypto";
import type { Sha256, Sha256Stream } from "../hash/sha256.js";

// One scratch buffer so prefixed hashing (Merkle leaves and nodes) is one native call, not three.
let scratch = new Uint8Array(1 << 16);

function oneShot(data: Uint8Array): Uint8Array {
  const out = hash("sha256", data, "buffer") as unknown as Buffer;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** SHA-256 on Node's native OpenSSL binding; identical output to the portable implementation. */
export const nativeSha256: Sha256 = {
  digest: oneShot,
  digestPrefixed(prefix, data, more) {
    const n = 1 + data.length + (more?.length ?? 0);
    if (n > scratch.length) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
    scratch[0] = prefix;
    scratch.set(data, 1);
    if (more) scratch.set(more, 1 + data.length);
    return oneShot(scratch.subarray(0, n));
  },
  stream() {
    const h = createHash("sha256");
    const s: Sha256Stream = {
      update(chunk) {
        h.update(chunk);
        return s;
      },
      digest: () => new Uint8Array(h.digest()),
    };
    return s;
  },
};
