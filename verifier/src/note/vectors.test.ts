import { describe, expect, it } from "vitest";
import { fromBase64 } from "../bytes/base64.js";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import { cosignatureTimestamp, parseCosignerVkey } from "./cosignature.js";
import { keyIdHex } from "./key-id.js";
import { parseSignedNote } from "./note-format.js";
import { openNote, signNote } from "./signed-note.js";
import { formatSignerKey, parseSignerKey, signerVerifier } from "./signer.js";
import { formatVkey, parseVkey } from "./vkey.js";

interface ExampleCase {
  vkey: string;
  note: string;
  expect: "valid" | "invalid";
  keyIdHex?: string;
  why?: string;
}

// Through Vite, not node:fs, so the same file runs in Node and in workerd.
const files = import.meta.glob<{ source: string; cases: ExampleCase[] }>("../../test/vectors/signed-note/*.json", {
  eager: true,
  import: "default",
});

describe("vectors/signed-note (C2SP signed-note v1.0.0 example)", () => {
  const all = Object.entries(files).flatMap(([path, f]) =>
    f.cases.map((c, i) => ({ label: `${path.slice(path.lastIndexOf("/") + 1)}#${i} ${c.expect}`, c })),
  );

  it("loads the vector files", () => {
    expect(Object.keys(files).length).toBeGreaterThan(0);
    expect(all.length).toBeGreaterThan(0);
  });

  it.each(all)("$label", ({ c }) => {
    const key = parseVkey(c.vkey);
    expect(key.ok).toBe(true);
    if (!key.ok) return;
    if (c.keyIdHex) expect(keyIdHex(key.value.keyId)).toBe(c.keyIdHex);
    // Our encoder writes the vkey back byte for byte.
    expect(formatVkey(key.value.name, key.value.publicKey)).toBe(c.vkey);
    const opened = openNote(c.note, [key.value]);
    if (c.expect === "valid") {
      expect(opened.ok).toBe(true);
      if (!opened.ok) return;
      expect(opened.value.text).toBe(c.note.slice(0, c.note.lastIndexOf("\n\n") + 1));
      expect(opened.value.verifiedBy).toEqual([key.value]);
      // The same bytes open identically.
      expect(openNote(utf8(c.note), [key.value])).toEqual(opened);
    } else {
      expect(opened).toMatchObject({ ok: false, code: "bad-signature" });
    }
    // The spec publishes no seed for example.com/foo, so signing cannot be reproduced for this vector;
    // the x/mod PeterNeumann vector below covers byte-exact signing.
  });
});

// golang.org/x/mod sumdb/note (note.go doc example and note_test.go), used as data.
const PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG =
  "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

describe("golang.org/x/mod sumdb/note vectors", () => {
  const peter = parseVkey(PETER_VKEY);
  const enoch = parseVkey(ENOCH_VKEY);
  const P = peter.ok ? peter.value : undefined!;
  const E = enoch.ok ? enoch.value : undefined!;

  it("parses the verifier and signer keys, and writes them back", () => {
    expect(peter.ok && enoch.ok).toBe(true);
    expect(keyIdHex(P.keyId)).toBe("c74f20a3");
    expect(keyIdHex(E.keyId)).toBe("af0cfe78");
    const signer = parseSignerKey(PETER_SKEY);
    expect(signer.ok).toBe(true);
    if (!signer.ok) return;
    expect(signerVerifier(signer.value)).toEqual(P);
    expect(formatSignerKey(signer.value)).toBe(PETER_SKEY);
    expect(formatVkey(P.name, P.publicKey)).toBe(PETER_VKEY);
  });

  it("signNote reproduces x/mod's signature byte for byte (Ed25519 is deterministic)", () => {
    const signer = parseSignerKey(PETER_SKEY);
    if (!signer.ok) throw new Error(signer.message);
    expect(signNote(TEXT, [signer.value])).toEqual({ ok: true, value: `${TEXT}\n${PETER_SIG}` });
  });

  it("TestOpen: one verified and one unknown; both verified; neither", () => {
    const msg = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    const one = openNote(msg, [P]);
    expect(one.ok).toBe(true);
    if (one.ok) {
      expect(one.value.text).toBe(TEXT);
      expect(one.value.verifiedBy).toEqual([P]);
      expect(one.value.unknownSignatures.map((s) => [s.name, keyIdHex(s.keyId)])).toEqual([["EnochRoot", "af0cfe78"]]);
    }
    const both = openNote(msg, [P, E]);
    expect(both.ok && both.value.verifiedBy).toEqual([P, E]);
    expect(both.ok && both.value.unknownSignatures).toEqual([]);
    expect(openNote(msg, [])).toMatchObject({ ok: false, code: "unknown-key" });
  });

  it("TestOpen: a pinned (name, ID) pinned twice with different keys is ambiguous only when used", () => {
    const forged = { ...E, publicKey: P.publicKey };
    // A hand-made key whose ID is not its own is refused outright.
    expect(openNote(`${TEXT}\n${ENOCH_SIG}`, [E, forged])).toMatchObject({ ok: false, code: "bad-verifier" });
    // The same key listed twice is harmless (x/mod calls even this ambiguous; we deduplicate).
    expect(openNote(`${TEXT}\n${ENOCH_SIG}`, [E, P, E]).ok).toBe(true);
    expect(openNote(`${TEXT}\n${PETER_SIG}`, [E, P, E]).ok).toBe(true);
  });

  it("TestOpen: too many signatures, invalid signature", () => {
    expect(openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [P])).toMatchObject({ ok: false, code: "malformed" });
    expect(openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [])).toMatchObject({ ok: false, code: "malformed" });
    const bad = `${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(openNote(`${TEXT}\n${bad}`, [P])).toMatchObject({ ok: false, code: "bad-signature" });
  });

  it("TestOpen: repeated lines — unknown repeats are dropped, pinned repeats refused (x/mod skips them)", () => {
    const enochABCD = `${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`;
    const r = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${enochABCD}`, [P]);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.verifiedBy).toEqual([P]);
      expect(r.value.unknownSignatures.map((s) => `${s.line}\n`)).toEqual([ENOCH_SIG, enochABCD]);
    }
    expect(openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}`, [P])).toMatchObject({
      ok: false,
      code: "duplicate-signature",
    });
  });

  it("TestOpen: malformed messages", () => {
    const bad: (string | Uint8Array)[] = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\x01${TEXT}\n${PETER_SIG}`,
      Uint8Array.of(0xff, ...utf8(`${TEXT}\n${PETER_SIG}`)),
      TEXT +
        "\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
    ];
    for (const msg of bad) expect(openNote(msg, [P])).toMatchObject({ ok: false, code: "malformed" });
  });

  it("TestOpen: a misnamed or re-IDed signature is someone else's and is ignored", () => {
    expect(openNote(`${TEXT}\n${PETER_SIG.replace("PeterNeumann", "CarmenSandiego")}`, [P])).toMatchObject({
      ok: false,
      code: "unknown-key",
    });
    expect(openNote(`${TEXT}\n${PETER_SIG.replace("x08g", "xxxx")}`, [P])).toMatchObject({
      ok: false,
      code: "unknown-key",
    });
  });

  it("TestNewVerifier: every proper substring and every single-byte increment of the vkey is refused", () => {
    for (let i = 0; i <= PETER_VKEY.length; i++) {
      for (let j = i + 1; j <= PETER_VKEY.length; j++) {
        if (i === 0 && j === PETER_VKEY.length) continue;
        expect(parseVkey(PETER_VKEY.slice(i, j)).ok, PETER_VKEY.slice(i, j)).toBe(false);
      }
    }
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const s = PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
      expect(parseVkey(s).ok, s).toBe(false);
    }
    // Wrong-length key and unknown algorithm, each with a key ID adjusted to match (from note_test.go).
    expect(parseVkey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")).toMatchObject({
      ok: false,
      code: "malformed",
    });
    expect(parseVkey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).toMatchObject({
      ok: false,
      code: "unknown-algorithm",
    });
  });

  it("TestNewSigner: every proper substring and every single-byte increment of the signer key is refused", () => {
    for (let i = 0; i <= PETER_SKEY.length; i++) {
      for (let j = i + 1; j <= PETER_SKEY.length; j++) {
        if (i === 0 && j === PETER_SKEY.length) continue;
        expect(parseSignerKey(PETER_SKEY.slice(i, j)).ok, PETER_SKEY.slice(i, j)).toBe(false);
      }
    }
    for (let i = 0; i < PETER_SKEY.length; i++) {
      const s = PETER_SKEY.slice(0, i) + String.fromCharCode(PETER_SKEY.charCodeAt(i) + 1) + PETER_SKEY.slice(i + 1);
      expect(parseSignerKey(s).ok, s).toBe(false);
    }
  });
});

describe("C2SP tlog-cosignature and transparency-dev/formats vectors", () => {
  it("reads the timestamp of the spec's example cosignature (time 1679315147)", () => {
    const note =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n" +
      "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n" +
      "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
    const p = parseSignedNote(note);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value.signatures.map((s) => cosignatureTimestamp(s))).toEqual([undefined, 1679315147n]);
  });

  it("reads cosignature timestamps as transparency-dev/formats does (TestCoSigV1Timestamp)", () => {
    const sig = (b64: string) => {
      const b = fromBase64(b64)!;
      return { name: "w", keyId: 0, signature: b.subarray(4), line: "" };
    };
    expect(
      cosignatureTimestamp(
        sig("ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA=="),
      ),
    ).toBe(1727964367n);
    expect(
      cosignatureTimestamp(
        sig("eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY="),
      ),
    ).toBeUndefined();
  });

  it("parses vkeys by signature type (TestCoSigV1NewVerifier), including base64 that holds '+'", () => {
    const ed = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6";
    const cosig = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2";
    const p = parseVkey(ed);
    expect(p.ok && [p.value.name, keyIdHex(p.value.keyId), toHex(p.value.publicKey).length]).toEqual([
      "TEST",
      "7997405c",
      64,
    ]);
    expect(parseCosignerVkey(ed)).toMatchObject({ ok: false, code: "unknown-algorithm" });
    const c = parseCosignerVkey(cosig);
    expect(c.ok && [c.value.name, keyIdHex(c.value.keyId), c.value.signatureType]).toEqual([
      "remora.n621.de",
      "da77ade7",
      4,
    ]);
    expect(parseVkey(cosig)).toMatchObject({ ok: false, code: "unknown-algorithm" });
    expect(parseVkey("bananas.sigstore.dev+12344556")).toMatchObject({ ok: false, code: "malformed" });
    expect(parseVkey("rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!")).toMatchObject({
      ok: false,
      code: "malformed",
    });
    expect(parseVkey("rekor.sigstore.dev+12345678+AwEB")).toMatchObject({ ok: false });
    expect(parseVkey("rekor.sigstore.dev+NOT_A_NUMBER+AwEB")).toMatchObject({ ok: false, code: "malformed" });
  });
});
