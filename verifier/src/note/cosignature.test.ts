import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64, toBase64 } from "../bytes/base64.js";
import { concatBytes } from "../bytes/compare.js";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import { publicKeyOf, sign, verify } from "../ed25519/ed25519.js";
import { sha256 } from "../hash/sha256.js";
import { formatCheckpoint, MAX_TREE_SIZE, signCheckpoint, verifyCheckpoint } from "./checkpoint.js";
import {
  cosignatureMessage,
  cosignCheckpoint,
  cosignerKey,
  cosignerOf,
  formatCosignerVkey,
  MAX_COSIGNATURE_TIMESTAMP,
  parseCosignerVkey,
  verifyCosignatures,
} from "./cosignature.js";
import { keyIdBytes } from "./key-id.js";
import { formatSignatureLine } from "./note-format.js";
import { signNote } from "./signed-note.js";
import { signerVerifier, type NoteSigner } from "./signer.js";
import type { NoteVerifier } from "./vkey.js";

const LOG: NoteSigner = { name: "example.com/behind-the-sofa", secretKey: new Uint8Array(32).fill(1) };
const W1: NoteSigner = { name: "witness.example.com/w1", secretKey: new Uint8Array(32).fill(2) };
const W2: NoteSigner = { name: "witness.example.com/w2", secretKey: new Uint8Array(32).fill(3) };
const [K1, K2] = [cosignerOf(W1), cosignerOf(W2)];
const CP = {
  origin: "example.com/behind-the-sofa",
  size: 20852163n,
  rootHash: fromBase64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")!,
  extensions: [] as string[],
};
const T = 1679315147n;

function ok<T>(r: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!r.ok) throw new Error(r.message);
  return r.value;
}
const BODY = ok(formatCheckpoint(CP));
const NOTE = ok(signCheckpoint(CP, LOG));

describe("cosignature/v1", () => {
  it("signs `cosignature/v1\\ntime <t>\\n` + the body (the spec's example message)", () => {
    expect(new TextDecoder().decode(cosignatureMessage(BODY, T))).toBe(
      "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    );
    expect(new TextDecoder().decode(cosignatureMessage(BODY, 0n)).split("\n")[1]).toBe("time 0");
  });

  it("lays the line out as keyID(4) ‖ u64be(timestamp) ‖ Ed25519(64), key ID over type 0x04", () => {
    const line = ok(cosignCheckpoint(BODY, W1, T));
    expect(line.startsWith(`— ${W1.name} `) && line.endsWith("\n")).toBe(true);
    const bytes = fromBase64(line.slice(line.lastIndexOf(" ") + 1, -1))!;
    expect(bytes.length).toBe(76);
    const pub = publicKeyOf(W1.secretKey);
    expect(toHex(bytes.subarray(0, 4))).toBe(
      toHex(sha256(concatBytes(utf8(W1.name), Uint8Array.of(0x0a, 0x04), pub)).subarray(0, 4)),
    );
    expect(toHex(bytes.subarray(4, 12))).toBe("00000000641850cb");
    expect(verify(bytes.subarray(12), utf8(`cosignature/v1\ntime ${T}\n${BODY}`), pub)).toBe(true);
    // The same key's plain (0x01) ID is different: a log key and a witness key never collide.
    expect(K1.keyId).not.toBe(signerVerifier(W1).keyId);
  });

  it("verifies witnesses' cosignatures on a log-signed checkpoint, which still verifies for the log", () => {
    const note = NOTE + ok(cosignCheckpoint(BODY, W1, T)) + ok(cosignCheckpoint(BODY, W2, 5));
    expect(verifyCosignatures(note, [K1, K2])).toEqual({
      ok: true,
      value: [
        { witness: K1, timestamp: T },
        { witness: K2, timestamp: 5n },
      ],
    });
    expect(verifyCosignatures(note, [K2], 1)).toEqual({ ok: true, value: [{ witness: K2, timestamp: 5n }] });
    expect(verifyCheckpoint(note, [signerVerifier(LOG)], CP.origin)).toMatchObject({
      ok: true,
      value: { size: CP.size },
    });
    expect(verifyCosignatures(note, [K1, K2], 3)).toMatchObject({ ok: false, code: "quorum" });
    expect(verifyCosignatures(NOTE, [K1], 0)).toEqual({ ok: true, value: [] });
    expect(verifyCosignatures(NOTE, [K1])).toMatchObject({ ok: false, code: "quorum" });
  });

  it("covers extension lines", () => {
    const c = { ...CP, extensions: ["Extendo"] };
    const body = ok(formatCheckpoint(c));
    const note = ok(signCheckpoint(c, LOG)) + ok(cosignCheckpoint(body, W1, T));
    expect(verifyCosignatures(note, [K1]).ok).toBe(true);
    expect(verifyCosignatures(note.replace("Extendo", "Extendi"), [K1])).toMatchObject({
      ok: false,
      code: "bad-signature",
    });
  });

  it("refuses a changed timestamp, body or signature, and a witness cosigning twice", () => {
    const line = ok(cosignCheckpoint(BODY, W1, T));
    const b64 = line.slice(line.lastIndexOf(" ") + 1, -1);
    const edit = (f: (b: Uint8Array) => void) => {
      const b = fromBase64(b64)!;
      f(b);
      return NOTE + line.replace(b64, toBase64(b));
    };
    expect(
      verifyCosignatures(
        edit((b) => (b[11]! ^= 1)),
        [K1],
      ),
    ).toMatchObject({ ok: false, code: "bad-signature" });
    expect(
      verifyCosignatures(
        edit((b) => (b[40]! ^= 1)),
        [K1],
      ),
    ).toMatchObject({ ok: false, code: "bad-signature" });
    expect(verifyCosignatures((NOTE + line).replace("20852163", "20852164"), [K1])).toMatchObject({
      ok: false,
      code: "bad-signature",
    });
    expect(verifyCosignatures(NOTE + line + line, [K1])).toMatchObject({ ok: false, code: "duplicate-signature" });
    // Wrong length for an Ed25519 cosignature, from a pinned key.
    const short = formatSignatureLine(W1.name, K1.keyId, new Uint8Array(64));
    expect(verifyCosignatures(NOTE + short, [K1])).toMatchObject({ ok: false, code: "bad-signature" });
  });

  it("refuses a timestamp above 2^63 − 1 even when the signature over it is valid", () => {
    const t = 2n ** 63n;
    const sig = sign(cosignatureMessage(BODY, t), W1.secretKey);
    const line = formatSignatureLine(W1.name, K1.keyId, concatBytes(Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 0), sig));
    expect(verifyCosignatures(NOTE + line, [K1])).toMatchObject({ ok: false, code: "bad-signature" });
  });

  it("ignores a plain note signature by the witness key, and the witness key under another name", () => {
    const plain = ok(signNote(BODY, [LOG, W1]));
    expect(verifyCosignatures(plain, [K1])).toMatchObject({ ok: false, code: "quorum" });
    const renamed = NOTE + ok(cosignCheckpoint(BODY, { ...W1, name: "witness.example.com/other" }, T));
    expect(verifyCosignatures(renamed, [K1])).toMatchObject({ ok: false, code: "quorum" });
    // A line renamed to the pinned name keeps the other name's key ID: still not the pinned key.
    const relabelled =
      NOTE +
      ok(cosignCheckpoint(BODY, { ...W1, name: "witness.example.com/other" }, T)).replace(
        "witness.example.com/other",
        W1.name,
      );
    expect(verifyCosignatures(relabelled, [K1])).toMatchObject({ ok: false, code: "quorum" });
  });

  it("refuses pinned keys of the wrong type, bodies that are not checkpoints, and malformed notes", () => {
    expect(verifyCosignatures(NOTE, [signerVerifier(W1) as unknown as typeof K1])).toMatchObject({
      ok: false,
      code: "bad-verifier",
    });
    expect(verifyCosignatures(ok(signNote("text\n", [LOG])), [K1])).toMatchObject({ ok: false, code: "malformed" });
    expect(verifyCosignatures(NOTE.slice(0, -1), [K1])).toMatchObject({ ok: false, code: "malformed" });
    // And the log verifier does not accept cosigner keys.
    expect(verifyCheckpoint(NOTE, [K1 as unknown as NoteVerifier], CP.origin)).toMatchObject({
      ok: false,
      code: "bad-verifier",
    });
  });

  it("cosignCheckpoint refuses bad timestamps, non-checkpoint bodies and invalid witnesses", () => {
    for (const t of [-1, -1n, 1.5, 2 ** 53, MAX_COSIGNATURE_TIMESTAMP + 1n])
      expect(cosignCheckpoint(BODY, W1, t), String(t)).toMatchObject({ ok: false, code: "bad-timestamp" });
    expect(cosignCheckpoint(BODY, W1, MAX_COSIGNATURE_TIMESTAMP).ok).toBe(true);
    expect(cosignCheckpoint(NOTE, W1, T)).toMatchObject({ ok: false, code: "malformed" });
    expect(cosignCheckpoint("not a checkpoint\n", W1, T)).toMatchObject({ ok: false, code: "malformed" });
    expect(cosignCheckpoint(BODY, { ...W1, name: "a b" }, T)).toMatchObject({ ok: false, code: "bad-signer" });
    expect(cosignCheckpoint(BODY, { ...W1, secretKey: new Uint8Array(16) }, T)).toMatchObject({
      ok: false,
      code: "bad-signer",
    });
  });

  it("cosigner vkeys round-trip", () => {
    const vkey = formatCosignerVkey(K1.name, K1.publicKey);
    expect(parseCosignerVkey(vkey)).toEqual({ ok: true, value: K1 });
    expect(cosignerKey(K1.name, K1.publicKey)).toEqual(K1);
    expect(toHex(keyIdBytes(K1.keyId))).toBe(vkey.split("+")[1]);
  });
});

describe("cosignature properties", () => {
  it("cosign then verify returns the exact timestamp; any single-byte change of the cosigned note drops or refuses it", () => {
    const arb = fc.record({
      size: fc.bigInt({ min: 0n, max: MAX_TREE_SIZE }),
      root: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      t: fc.bigInt({ min: 0n, max: MAX_COSIGNATURE_TIMESTAMP }),
      pos: fc.nat(),
      x: fc.integer({ min: 1, max: 255 }),
    });
    fc.assert(
      fc.property(arb, ({ size, root, t, pos, x }) => {
        const c = { origin: "log.example", size, rootHash: root };
        const body = ok(formatCheckpoint(c));
        const line = ok(cosignCheckpoint(body, W1, t));
        const note = ok(signCheckpoint(c, LOG)) + line;
        expect(verifyCosignatures(note, [K1])).toEqual({ ok: true, value: [{ witness: K1, timestamp: t }] });
        const bytes = utf8(note);
        const p = pos % bytes.length;
        bytes[p] = bytes[p]! ^ x;
        const r = verifyCosignatures(bytes, [K1]);
        // The only accepted change is inside the log's own (unpinned) line; then the cosignature is unchanged.
        if (r.ok) {
          const logLineStart = utf8(body).length + 1;
          expect(p >= logLineStart && p < bytes.length - utf8(line).length).toBe(true);
          expect(r.value).toEqual([{ witness: K1, timestamp: t }]);
        }
      }),
      { numRuns: 150 },
    );
  });
});
