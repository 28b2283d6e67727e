import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toBase64 } from "../bytes/base64.js";
import { sha256 } from "../hash/sha256.js";
import { utf8 } from "../bytes/utf8.js";
import {
  formatCheckpoint,
  MAX_TREE_SIZE,
  parseCheckpoint,
  parseCheckpointNote,
  signCheckpoint,
  verifyCheckpoint,
  type CheckpointInput,
} from "./checkpoint.js";
import { signNote } from "./signed-note.js";
import { signerVerifier, type NoteSigner } from "./signer.js";

const LOG: NoteSigner = { name: "walwarden.example/org_1/checkpoint", secretKey: new Uint8Array(32).fill(7) };
const OTHER: NoteSigner = { name: "walwarden.example/org_2/checkpoint", secretKey: new Uint8Array(32).fill(8) };
const V = signerVerifier(LOG);
const ORIGIN = "walwarden.example/org_1";
const ROOT = sha256(utf8("root"));
const CP = { origin: ORIGIN, size: 20852163n, rootHash: ROOT, extensions: [] as string[] };

function ok<T>(r: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe("checkpoint bodies", () => {
  it("formats the C2SP example body exactly and parses it back", () => {
    const root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    const body = `example.com/behind-the-sofa\n20852163\n${root}\n`;
    const p = ok(parseCheckpoint(body));
    expect(p).toEqual({ origin: "example.com/behind-the-sofa", size: 20852163n, rootHash: p.rootHash, extensions: [] });
    expect(toBase64(p.rootHash)).toBe(root);
    expect(formatCheckpoint(p)).toEqual({ ok: true, value: body });
  });

  it("round-trips extension lines, size 0, the largest size, number sizes, and origins with inner spaces", () => {
    for (const c of [
      { ...CP, extensions: ["ext one", "— two +"] },
      { ...CP, size: 0n },
      { ...CP, size: MAX_TREE_SIZE },
      { ...CP, origin: "rekor.sigstore.dev - 1193050959916656506" },
    ]) {
      expect(parseCheckpoint(ok(formatCheckpoint(c)))).toEqual({ ok: true, value: c });
    }
    expect(ok(formatCheckpoint({ ...CP, size: 2 ** 53 - 1 }))).toBe(
      ok(formatCheckpoint({ ...CP, size: 2n ** 53n - 1n })),
    );
    expect(ok(parseCheckpoint(`o\n${MAX_TREE_SIZE}\n${toBase64(ROOT)}\n`)).size).toBe(9223372036854775807n);
  });

  it("refuses bad sizes", () => {
    for (const size of [
      "01",
      "00",
      "-1",
      "+1",
      " 1",
      "1 ",
      "1e3",
      "0x10",
      "1_000",
      "١",
      "9223372036854775808",
      "18446744073709551615",
      "99999999999999999999",
      "",
    ]) {
      expect(parseCheckpoint(`o\n${size}\n${toBase64(ROOT)}\n`), size).toMatchObject({ ok: false, code: "malformed" });
    }
  });

  it("refuses bad root hashes", () => {
    const b64 = toBase64(ROOT);
    for (const root of [
      toBase64(ROOT.subarray(0, 31)),
      toBase64(new Uint8Array(33)),
      b64.slice(0, -1),
      `${b64.slice(0, -2)}J=`,
      b64.replace("=", ""),
      "",
      "not base64!",
    ]) {
      expect(parseCheckpoint(`o\n5\n${root}\n`), root).toMatchObject({ ok: false, code: "malformed" });
    }
  });

  it("refuses bad origins and structure", () => {
    const r = toBase64(ROOT);
    for (const body of [
      `\n5\n${r}\n`, // empty origin
      ` o\n5\n${r}\n`,
      `o \n5\n${r}\n`,
      `o\u00a0\n5\n${r}\n`,
      `o\n5\n`, // two lines
      `o\n5\n${r}`, // no final newline
      `o\n5\n${r}\n\n`, // empty extension line
      `o\n5\n${r}\next\n\n`,
      `o\r\n5\n${r}\n`,
      `o\t\n5\n${r}\n`,
      `o\n5\n${r}\n\n— sig AAAA\n`, // a whole note is not a body
      "",
    ]) {
      expect(parseCheckpoint(body), JSON.stringify(body)).toMatchObject({ ok: false, code: "malformed" });
    }
  });

  it("formatCheckpoint refuses what it could not write back", () => {
    const bad: CheckpointInput[] = [
      { ...CP, size: -1n },
      { ...CP, size: -1 },
      { ...CP, size: 1.5 },
      { ...CP, size: 2 ** 53 },
      { ...CP, size: MAX_TREE_SIZE + 1n },
      { ...CP, rootHash: ROOT.subarray(0, 31) },
      { ...CP, origin: "" },
      { ...CP, origin: "a\nb" },
      { ...CP, origin: " a" },
      { ...CP, extensions: [""] },
      { ...CP, extensions: ["a\nb"] },
      { ...CP, extensions: ["tab\t"] },
    ];
    for (const c of bad) expect(formatCheckpoint(c)).toMatchObject({ ok: false, code: "malformed" });
  });
});

describe("signed checkpoints", () => {
  const note = ok(signCheckpoint(CP, LOG));

  it("sign then verify, whatever the key name (it need not equal the origin)", () => {
    expect(LOG.name).not.toBe(ORIGIN);
    expect(verifyCheckpoint(note, [V], ORIGIN)).toEqual({ ok: true, value: { ...CP, verifiedBy: [V] } });
    expect(verifyCheckpoint(utf8(note), [V], ORIGIN).ok).toBe(true);
    expect(parseCheckpointNote(note)).toEqual({ ok: true, value: CP });
  });

  it("ignores other signatures, such as witness cosignatures", () => {
    const both = ok(signNote(ok(formatCheckpoint(CP)), [LOG, OTHER]));
    expect(verifyCheckpoint(both, [V], ORIGIN)).toMatchObject({ ok: true, value: { verifiedBy: [V] } });
  });

  it("refuses: wrong origin, unknown key, changed size, root or extensions, a body that is no checkpoint", () => {
    expect(verifyCheckpoint(note, [V], "walwarden.example/org_2")).toMatchObject({ ok: false, code: "wrong-origin" });
    expect(verifyCheckpoint(note, [signerVerifier(OTHER)], ORIGIN)).toMatchObject({ ok: false, code: "unknown-key" });
    expect(verifyCheckpoint(note, [], ORIGIN)).toMatchObject({ ok: false, code: "unknown-key" });
    expect(verifyCheckpoint(note.replace("\n20852163\n", "\n20852164\n"), [V], ORIGIN)).toMatchObject({
      ok: false,
      code: "bad-signature",
    });
    const otherRoot = toBase64(sha256(utf8("other")));
    expect(verifyCheckpoint(note.replace(toBase64(ROOT), otherRoot), [V], ORIGIN)).toMatchObject({
      ok: false,
      code: "bad-signature",
    });
    const withExt = note.replace(`${toBase64(ROOT)}\n`, `${toBase64(ROOT)}\nextension\n`);
    expect(verifyCheckpoint(withExt, [V], ORIGIN)).toMatchObject({ ok: false, code: "bad-signature" });
    expect(verifyCheckpoint(ok(signNote("just some text\n", [LOG])), [V], ORIGIN)).toMatchObject({
      ok: false,
      code: "malformed",
    });
    expect(verifyCheckpoint(note.replace("\n20852163\n", "\n020852163\n"), [V], ORIGIN)).toMatchObject({
      ok: false,
      code: "malformed",
    });
    expect(verifyCheckpoint(note.slice(0, -1), [V], ORIGIN)).toMatchObject({ ok: false, code: "malformed" });
    expect(parseCheckpointNote("garbage")).toMatchObject({ ok: false, code: "malformed" });
  });
});

const originArb = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 16 })
  .map((s) => s.replace(/[\n\x00-\x1f]/g, "_").replace(/^\p{White_Space}+|\p{White_Space}+$/gu, ""))
  .filter((s) => s.length > 0);
const checkpointArb = fc.record({
  origin: originArb,
  size: fc.bigInt({ min: 0n, max: MAX_TREE_SIZE }),
  rootHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  extensions: fc.array(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 8 }), { maxLength: 2 }),
});

describe("checkpoint properties", () => {
  it("format → parse is the identity, and sign → verify succeeds", () => {
    fc.assert(
      fc.property(checkpointArb, (c) => {
        const body = ok(formatCheckpoint(c));
        expect(parseCheckpoint(body)).toEqual({ ok: true, value: c });
        expect(verifyCheckpoint(ok(signCheckpoint(c, LOG)), [V], c.origin)).toEqual({
          ok: true,
          value: { ...c, verifiedBy: [V] },
        });
      }),
      { numRuns: 100 },
    );
  });

  it("any change of origin, size or root under the original signature is refused", () => {
    fc.assert(
      fc.property(checkpointArb, checkpointArb, fc.constantFrom("origin", "size", "rootHash"), (c, other, field) => {
        fc.pre(field === "rootHash" ? toBase64(c.rootHash) !== toBase64(other.rootHash) : c[field] !== other[field]);
        const note = ok(signCheckpoint(c, LOG));
        const sigs = note.slice(ok(formatCheckpoint(c)).length);
        const forged = ok(formatCheckpoint({ ...c, [field]: other[field] })) + sigs;
        const r = verifyCheckpoint(forged, [V], c.origin);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.code).toBe(field === "origin" ? "wrong-origin" : "bad-signature");
        // Even a verifier expecting the new origin refuses it.
        if (field === "origin")
          expect(verifyCheckpoint(forged, [V], other.origin)).toMatchObject({ ok: false, code: "bad-signature" });
      }),
      { numRuns: 150 },
    );
  });

  it("every single-byte change of the body is refused", () => {
    fc.assert(
      fc.property(checkpointArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (c, n, x) => {
        const body = utf8(ok(formatCheckpoint(c)));
        const note = utf8(ok(signCheckpoint(c, LOG)));
        const pos = n % body.length;
        note[pos] = note[pos]! ^ x;
        expect(verifyCheckpoint(note, [V], c.origin).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
