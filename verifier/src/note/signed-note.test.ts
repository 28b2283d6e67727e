import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64, toBase64 } from "../bytes/base64.js";
import { concatBytes } from "../bytes/compare.js";
import { utf8 } from "../bytes/utf8.js";
import { sha256 } from "../hash/sha256.js";
import { cosignerKey } from "./cosignature.js";
import { noteKeyId } from "./key-id.js";
import { isValidKeyName } from "./key-name.js";
import { MAX_NOTE_SIGNATURES, parseSignedNote } from "./note-format.js";
import { openNote, signNote } from "./signed-note.js";
import { signerVerifier, type NoteSigner } from "./signer.js";
import { noteVerifier, type NoteVerifier } from "./vkey.js";

const signer = (name: string, byte: number): NoteSigner => ({ name, secretKey: new Uint8Array(32).fill(byte) });
const A = signer("a.example/log", 1);
const B = signer("b.example/log", 2);
const C = signer("c.example/witness", 3);
const [VA, VB] = [signerVerifier(A), signerVerifier(B)];
const TEXT = "first line\nsecond line\n";

function mustSign(text: string, signers: NoteSigner[]): string {
  const r = signNote(text, signers);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

/** Replaces the base64 of signature line `i` (0-based) with the encoding of f(decoded bytes). */
function editSignature(note: string, i: number, f: (b: Uint8Array) => Uint8Array): string {
  const split = note.lastIndexOf("\n\n") + 2;
  const lines = note.slice(split, -1).split("\n");
  const line = lines[i]!;
  const sp = line.lastIndexOf(" ");
  lines[i] = line.slice(0, sp + 1) + toBase64(f(fromBase64(line.slice(sp + 1))!));
  return `${note.slice(0, split) + lines.join("\n")}\n`;
}

describe("signNote / openNote round trips", () => {
  it("opens what it signs, reporting the pinned signers in line order and the rest as unknown", () => {
    const note = mustSign(TEXT, [A, B, C]);
    expect(note.startsWith(`${TEXT}\n— a.example/log `)).toBe(true);
    const r = openNote(note, [VB, VA]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.text).toBe(TEXT);
    expect(r.value.verifiedBy).toEqual([VA, VB]);
    expect(r.value.unknownSignatures.map((s) => s.name)).toEqual([C.name]);
    expect(openNote(note, [VB])).toMatchObject({ ok: true, value: { verifiedBy: [VB] } });
  });

  it("keeps blank lines, signature-looking lines, a lone newline and a trailing blank line in the text", () => {
    for (const text of [
      "\n",
      "a\n\nb\n",
      "a\n\n\n",
      "— a.example/log AAAA\n\nx\n",
      "é 😀 \u2028 \ufeffx\n",
      "\ufefftext\n",
    ]) {
      const r = openNote(mustSign(text, [A]), [VA]);
      expect(r.ok && r.value.text, JSON.stringify(text)).toBe(text);
    }
  });

  it("treats bytes and strings alike, and keeps a leading BOM as text (the default decoder would drop it)", () => {
    const note = mustSign("\ufeffhello\n", [A]);
    expect(openNote(utf8(note), [VA])).toEqual(openNote(note, [VA]));
    const unsigned = mustSign("hello\n", [A]);
    expect(openNote(concatBytes(Uint8Array.of(0xef, 0xbb, 0xbf), utf8(unsigned)), [VA])).toMatchObject({
      ok: false,
      code: "bad-signature",
    });
  });

  it("accepts exactly MAX_NOTE_SIGNATURES lines", () => {
    const note = mustSign(TEXT, [A]);
    const other = mustSign(TEXT, [C]).slice(TEXT.length + 1);
    const withOthers = (n: number) =>
      note + Array.from({ length: n }, (_, i) => other.replace(C.name, `c${i}`)).join("");
    expect(MAX_NOTE_SIGNATURES).toBe(100);
    expect(openNote(withOthers(99), [VA]).ok).toBe(true);
    expect(openNote(withOthers(100), [VA])).toMatchObject({ ok: false, code: "malformed" });
  });
});

describe("signNote refuses", () => {
  it("text that is not note text", () => {
    for (const text of [
      "",
      "no newline",
      "a\r\n",
      "tab\there\n",
      "nul\x00\n",
      "esc\x1b\n",
      "lone \ud800 surrogate\n",
    ]) {
      expect(signNote(text, [A]), JSON.stringify(text)).toMatchObject({ ok: false, code: "malformed" });
    }
  });
  it("no signers, a repeated key, invalid names and seeds", () => {
    expect(signNote(TEXT, [])).toMatchObject({ ok: false, code: "bad-signer" });
    expect(signNote(TEXT, [A, { ...A }])).toMatchObject({ ok: false, code: "bad-signer" });
    for (const name of ["", "a b", "a+b", "a\u00a0b", "a\u0085b"])
      expect(signNote(TEXT, [signer(name, 1)])).toMatchObject({ ok: false, code: "bad-signer" });
    expect(signNote(TEXT, [{ name: "a", secretKey: new Uint8Array(31) }])).toMatchObject({
      ok: false,
      code: "bad-signer",
    });
    // The same seed under two names is two keys: allowed.
    expect(signNote(TEXT, [A, { ...A, name: "other" }]).ok).toBe(true);
  });
});

describe("openNote refuses", () => {
  const note = mustSign(TEXT, [A]);

  it("a tampered body", () => {
    expect(openNote(note.replace("first", "First"), [VA])).toMatchObject({ ok: false, code: "bad-signature" });
    expect(openNote(`x${note}`, [VA])).toMatchObject({ ok: false, code: "bad-signature" });
  });

  it("a tampered signature, and a truncated or extended one", () => {
    expect(
      openNote(
        editSignature(note, 0, (b) => b.map((x, i) => (i === 10 ? x ^ 1 : x))),
        [VA],
      ),
    ).toMatchObject({ ok: false, code: "bad-signature" });
    expect(
      openNote(
        editSignature(note, 0, (b) => b.subarray(0, 67)),
        [VA],
      ),
    ).toMatchObject({ ok: false, code: "bad-signature" });
    expect(
      openNote(
        editSignature(note, 0, (b) => concatBytes(b, Uint8Array.of(0))),
        [VA],
      ),
    ).toMatchObject({ ok: false, code: "bad-signature" });
  });

  it("a signature whose key ID is not the pinned key's: it is someone else's, so the note is unverified", () => {
    expect(
      openNote(
        editSignature(note, 0, (b) => b.map((x, i) => (i === 0 ? x ^ 0x80 : x))),
        [VA],
      ),
    ).toMatchObject({ ok: false, code: "unknown-key" });
  });

  it("the right public key under another name (name and key ID must both match)", () => {
    // Pinned as another name: the note's (name, ID) is not pinned.
    expect(openNote(note, [noteVerifier("a.example/other", VA.publicKey)])).toMatchObject({
      ok: false,
      code: "unknown-key",
    });
    // Signed with A's seed under another name, with that name's correct ID: still not A.
    expect(openNote(mustSign(TEXT, [{ ...A, name: "a.example/other" }]), [VA])).toMatchObject({
      ok: false,
      code: "unknown-key",
    });
    // Signed by A, line renamed but keeping A's ID: ignored too.
    expect(openNote(note.replace("— a.example/log ", "— a.example/other "), [VA])).toMatchObject({
      ok: false,
      code: "unknown-key",
    });
  });

  it("duplicated signature lines of a pinned key, even identical valid ones", () => {
    const line = note.slice(TEXT.length + 1);
    expect(openNote(note + line, [VA])).toMatchObject({ ok: false, code: "duplicate-signature" });
    // Repeats of an unpinned key are ignored (and reported once).
    const two = mustSign(TEXT, [A, B]);
    const r = openNote(two + line + line.replace(A.name, "zz") + line.replace(A.name, "zz"), [VB]);
    expect(r.ok && r.value.unknownSignatures.map((s) => s.name)).toEqual([A.name, "zz"]);
  });

  it("malformed notes", () => {
    const sigLine = note.slice(TEXT.length + 1);
    const b64 = sigLine.slice(sigLine.lastIndexOf(" ") + 1, -1);
    const bad = [
      note.slice(0, -1), // missing final newline
      TEXT + sigLine, // missing blank line
      `${TEXT}\n`, // no signatures
      `${note}\n`, // blank line after the signatures: the block is empty
      note.replace(/\n/g, "\r\n"), // CRLF
      note.replace("— ", "-- "), // not an em dash
      note.replace("— ", "—"), // no space after the dash
      note.replace("— ", "— \u00a0"), // name starting with a Unicode space
      note.replace(` ${b64}`, `  ${b64}`), // two spaces
      note.replace(` ${b64}`, ""), // no signature
      note.replace(b64, b64.slice(0, -1)), // bad base64
      note.replace(b64, b64.replace(/=*$/, "")), // unpadded
      note.replace(b64, "AAAAAA=="), // four bytes: a key ID and no signature
      `${note}trailing garbage\n`,
      `\x07${note}`,
    ];
    for (const n of bad) expect(openNote(n, [VA]), JSON.stringify(n)).toMatchObject({ ok: false, code: "malformed" });
    expect(
      openNote(Uint8Array.of(...utf8(note).subarray(0, 3), 0xc0, 0x80, ...utf8(note).subarray(3)), [VA]),
    ).toMatchObject({ ok: false, code: "malformed" });
  });

  it("non-canonical base64 (non-zero padding bits) in any signature line", () => {
    const nonCanonical = (b64: string) =>
      `${b64.slice(0, -2) + String.fromCharCode(b64.charCodeAt(b64.length - 2) + 1)}=`;
    const n = mustSign(TEXT, [A, C]);
    const lines = n.slice(TEXT.length + 1, -1).split("\n");
    for (let i = 0; i < lines.length; i++) {
      const b64 = lines[i]!.slice(lines[i]!.lastIndexOf(" ") + 1);
      expect(b64.endsWith("=") && !b64.endsWith("==")).toBe(true);
      expect(openNote(n.replace(b64, nonCanonical(b64)), [VA])).toMatchObject({ ok: false, code: "malformed" });
    }
  });

  it("verifiers that are not Ed25519 note keys or lie about their key ID", () => {
    const cosigner = cosignerKey(A.name, VA.publicKey) as unknown as NoteVerifier;
    expect(openNote(note, [cosigner])).toMatchObject({ ok: false, code: "bad-verifier" });
    expect(openNote(note, [{ ...VA, keyId: VA.keyId ^ 1 }])).toMatchObject({ ok: false, code: "bad-verifier" });
    expect(openNote(note, [{ ...VA, publicKey: VA.publicKey.subarray(1) }])).toMatchObject({
      ok: false,
      code: "bad-verifier",
    });
  });

  it("a (name, key ID) pinned twice with different keys, when a line uses it", () => {
    // Key IDs are 32 bits, so a birthday search over 32-byte strings finds two "keys" with one ID. The strings need
    // not be valid points: matching happens before any verification.
    const seen = new Map<number, Uint8Array>();
    let pair: [Uint8Array, Uint8Array] | undefined;
    for (let i = 0; !pair; i++) {
      const k = sha256(utf8(`k${i}`));
      const id = noteKeyId("n", 1, k);
      const prev = seen.get(id);
      if (prev) pair = [prev, k];
      else seen.set(id, k);
    }
    const [k1, k2] = pair.map((k) => noteVerifier("n", k)) as [NoteVerifier, NoteVerifier];
    expect(k1.keyId).toBe(k2.keyId);
    const line = `— n ${toBase64(concatBytes(Uint8Array.of(k1.keyId >>> 24, k1.keyId >>> 16, k1.keyId >>> 8, k1.keyId), new Uint8Array(64)))}\n`;
    expect(openNote(note + line, [VA, k1, k2])).toMatchObject({ ok: false, code: "ambiguous-key" });
    expect(openNote(note, [VA, k1, k2]).ok).toBe(true);
  });
});

// ---- properties ----

const noteChar = fc.oneof(
  fc.constantFrom("\n", "\n\n", "— ", " ", "+", "=", "\u2014"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((c) => !/[\x00-\x1f]/.test(c)),
);
const noteTextArb = fc.string({ unit: noteChar, maxLength: 40 }).map((s) => `${s}\n`);
const nameArb = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 10 })
  .map((s) => s.replace(/[\p{White_Space}+\x00-\x1f]/gu, "_"))
  .filter(isValidKeyName);
/** 1–2 pinned signers and 0–2 unpinned ones, with distinct seeds derived from a base. */
const noteSpecArb = fc.record({
  text: noteTextArb,
  known: fc.array(nameArb, { minLength: 1, maxLength: 2 }),
  unknown: fc.array(nameArb, { maxLength: 2 }),
  base: fc.uint8Array({ minLength: 8, maxLength: 8 }),
});

type NoteSpec = { text: string; known: string[]; unknown: string[]; base: Uint8Array };

function build(spec: NoteSpec) {
  const seed = (i: number) => sha256(concatBytes(spec.base, Uint8Array.of(i)));
  const known = spec.known.map((name, i) => ({ name, secretKey: seed(i) }));
  const unknown = spec.unknown.map((name, i) => ({ name, secretKey: seed(100 + i) }));
  // Interleave so that unpinned lines sit between pinned ones.
  const signers = [...known, ...unknown].sort((x, y) => x.secretKey[0]! - y.secretKey[0]!);
  const note = mustSign(spec.text, signers);
  return { note, signers, verifiers: known.map(signerVerifier), known };
}

/** Byte ranges of each signature line (newline included) and which pinned key, if any, it belongs to. */
function layout(noteBytes: Uint8Array, text: string, signers: NoteSigner[], verifiers: NoteVerifier[]) {
  let at = utf8(text).length + 1;
  const sigStart = at;
  return {
    sigStart,
    lines: signers.map((s) => {
      const v = signerVerifier(s);
      const line = utf8(`— ${s.name} `).length + 92; // base64 of 4 + 64 bytes is 92 characters
      const range = {
        start: at,
        end: at + line + 1,
        key: verifiers.find((k) => k.name === v.name && k.keyId === v.keyId),
      };
      at += line + 1;
      return range;
    }),
    total: (() => {
      expect(at).toBe(noteBytes.length);
      return at;
    })(),
  };
}

/**
 * The precise property of a single-byte change at pos: either the note is refused, or it opens to exactly
 * the same text, the change lies in the signature block, and the pinned signers are the original ones minus
 * the owner of the changed line (a changed pinned line can only turn into an unpinned one; a changed unpinned
 * line changes nothing).
 */
function checkMutation(
  orig: {
    text: string;
    verifiers: NoteVerifier[];
    lay: ReturnType<typeof layout>;
    verifiedBy: readonly NoteVerifier[];
  },
  mutated: Uint8Array,
  pos: number,
) {
  const r = openNote(mutated, orig.verifiers);
  if (!r.ok) return undefined;
  expect(r.value.text).toBe(orig.text);
  expect(pos).toBeGreaterThanOrEqual(orig.lay.sigStart);
  const line = orig.lay.lines.find((l) => pos >= l.start && pos < l.end)!;
  expect(line).toBeDefined();
  expect(r.value.verifiedBy).toEqual(orig.verifiedBy.filter((k) => k !== line.key));
  return line.key ? "pinned-line" : "unpinned-line";
}

describe("properties", () => {
  it("sign then open succeeds for random texts, names and keys", () => {
    fc.assert(
      fc.property(noteSpecArb, (spec) => {
        const { note, verifiers, signers, known } = build(spec);
        const r = openNote(note, verifiers);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value.text).toBe(spec.text);
        expect(r.value.verifiedBy).toEqual(signers.filter((s) => known.includes(s)).map(signerVerifier));
        expect(r.value.unknownSignatures.length).toBe(spec.unknown.length);
        expect(parseSignedNote(note).ok).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("every single-byte change is refused or yields the same text with the changed line's signer dropped", () => {
    fc.assert(
      fc.property(
        noteSpecArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 20 }),
        (spec, edits) => {
          const { note, verifiers, signers } = build(spec);
          const bytes = utf8(note);
          const opened = openNote(bytes, verifiers);
          if (!opened.ok) throw new Error(opened.message);
          const orig = {
            text: spec.text,
            verifiers,
            lay: layout(bytes, spec.text, signers, verifiers),
            verifiedBy: opened.value.verifiedBy,
          };
          for (const [n, x] of edits) {
            const pos = n % bytes.length;
            const m = bytes.slice();
            m[pos] = m[pos]! ^ x;
            checkMutation(orig, m, pos);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("exhaustively: every position of a fixed note, under several byte changes", () => {
    const text = "origin\n\nbody — with\u00e9 lines\n";
    const signers = [A, C, B];
    const verifiers = [VA, VB];
    const bytes = utf8(mustSign(text, signers));
    const opened = openNote(bytes, verifiers);
    if (!opened.ok) throw new Error(opened.message);
    const orig = { text, verifiers, lay: layout(bytes, text, signers, verifiers), verifiedBy: opened.value.verifiedBy };
    const accepted = { "pinned-line": 0, "unpinned-line": 0 };
    for (let pos = 0; pos < bytes.length; pos++) {
      for (const f of [
        (b: number) => b ^ 0x01,
        (b: number) => b ^ 0x20,
        (b: number) => b ^ 0x80,
        () => 0x0a,
        () => 0x20,
        () => 0x2b,
        () => 0x41,
      ]) {
        const m = bytes.slice();
        m[pos] = f(m[pos]!);
        if (m[pos] === bytes[pos]) continue;
        const where = checkMutation(orig, m, pos);
        if (where) accepted[where]++;
      }
    }
    // Both benign kinds occur: changes inside C's unpinned line (nothing changes), and changes of A's or B's
    // name or key ID (that signer drops out, the other still verifies).
    expect(accepted["unpinned-line"]).toBeGreaterThan(0);
    expect(accepted["pinned-line"]).toBeGreaterThan(0);
  });
});
