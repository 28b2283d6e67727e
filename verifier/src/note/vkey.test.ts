import { describe, expect, it } from "vitest";
import { fromBase64, toBase64 } from "../bytes/base64.js";
import { concatBytes } from "../bytes/compare.js";
import { publicKeyOf } from "../ed25519/ed25519.js";
import { formatCosignerVkey, parseCosignerVkey } from "./cosignature.js";
import { keyIdHex, noteKeyId, SIGNATURE_TYPE_COSIGNATURE_V1, SIGNATURE_TYPE_ED25519 } from "./key-id.js";
import { isValidKeyName } from "./key-name.js";
import { formatSignerKey, parseSignerKey } from "./signer.js";
import { formatVkey, noteVerifier, parseVkey } from "./vkey.js";

const pub = publicKeyOf(new Uint8Array(32).fill(9));

describe("key names", () => {
  it("accepts non-empty names without spaces or '+', any other Unicode included", () => {
    for (const n of ["a", "example.com/log42", "PeterNeumann", "é/ü", "😀", "a\u2014b", "a\ufeffb", "oid/1.3.6.1"])
      expect(isValidKeyName(n), n).toBe(true);
  });
  it("refuses empty names, '+', every Unicode White_Space character (as Go's unicode.IsSpace), control characters and unpaired surrogates", () => {
    const spaces = [
      "\t",
      "\n",
      "\v",
      "\f",
      "\r",
      " ",
      "\u0085",
      "\u00a0",
      "\u1680",
      "\u2000",
      "\u200a",
      "\u2028",
      "\u2029",
      "\u202f",
      "\u205f",
      "\u3000",
    ];
    for (const bad of ["", "a+b", "+", ...spaces.map((s) => `a${s}b`), "a\x00b", "a\x1bb", "a\ud800b", "\udfff"]) {
      expect(isValidKeyName(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("key IDs", () => {
  it("is SHA-256(name ‖ 0x0A ‖ type ‖ pubkey)[:4], and differs by type", () => {
    const ed = noteKeyId("n", SIGNATURE_TYPE_ED25519, pub);
    const co = noteKeyId("n", SIGNATURE_TYPE_COSIGNATURE_V1, pub);
    expect(ed).not.toBe(co);
    expect(keyIdHex(ed)).toMatch(/^[0-9a-f]{8}$/);
    expect(keyIdHex(0)).toBe("00000000");
    expect(keyIdHex(0xffffffff)).toBe("ffffffff");
  });
});

describe("vkeys", () => {
  const vkey = formatVkey("example.com/log", pub);
  const [name, hex, b64] = [
    vkey.split("+")[0]!,
    vkey.split("+")[1]!,
    vkey.slice(vkey.indexOf("+", vkey.indexOf("+") + 1) + 1),
  ];

  it("round-trips name, key ID and key", () => {
    expect(vkey).toMatch(/^example\.com\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const p = parseVkey(vkey);
    expect(p).toEqual({ ok: true, value: noteVerifier("example.com/log", pub) });
  });

  it("accepts an upper-case key ID (x/mod parses it with ParseUint base 16)", () => {
    expect(parseVkey(`${name}+${hex.toUpperCase()}+${b64}`).ok).toBe(true);
  });

  it("refuses a wrong key ID", () => {
    const other = ((parseInt(hex, 16) ^ 1) >>> 0).toString(16).padStart(8, "0");
    expect(parseVkey(`${name}+${other}+${b64}`)).toMatchObject({ ok: false, code: "wrong-key-id" });
  });

  it("refuses the same key under another name with the original ID", () => {
    expect(parseVkey(`example.com/other+${hex}+${b64}`)).toMatchObject({ ok: false, code: "wrong-key-id" });
  });

  it("refuses an unknown algorithm byte even when the key ID is computed over it", () => {
    for (const t of [0x00, 0x02, 0x04, 0x05, 0x06, 0xff]) {
      const bytes = concatBytes(Uint8Array.of(t), pub);
      const id = keyIdHex(noteKeyId("n", t, pub));
      expect(parseVkey(`n+${id}+${toBase64(bytes)}`), `type ${t}`).toMatchObject({
        ok: false,
        code: "unknown-algorithm",
      });
    }
  });

  it("refuses bad base64, non-canonical base64, wrong key length, bad names and bad IDs", () => {
    const withId = (n: string, bytes: Uint8Array) =>
      `${n}+${keyIdHex(noteKeyId(n, bytes[0]!, bytes.subarray(1)))}+${toBase64(bytes)}`;
    expect(parseVkey(`${name}+${hex}+${b64.slice(0, -1)}`)).toMatchObject({ ok: false, code: "malformed" });
    expect(parseVkey(`${name}+${hex}+${b64.slice(0, -2)}A=`)).toMatchObject({ ok: false }); // changed bits
    // Same bytes with a non-zero padding bit: canonical decoders refuse it.
    const last = b64.charCodeAt(b64.length - 2);
    const nonCanonical = `${b64.slice(0, -2) + String.fromCharCode(last + 1)}=`;
    expect(fromBase64(nonCanonical)).toBeUndefined();
    expect(parseVkey(`${name}+${hex}+${nonCanonical}`)).toMatchObject({ ok: false, code: "malformed" });
    expect(parseVkey(withId("n", concatBytes(Uint8Array.of(1), pub.subarray(0, 31))))).toMatchObject({
      ok: false,
      code: "malformed",
    });
    expect(parseVkey(withId("n", concatBytes(Uint8Array.of(1), pub, Uint8Array.of(0))))).toMatchObject({
      ok: false,
      code: "malformed",
    });
    expect(parseVkey(`${name}+${hex}+`)).toMatchObject({ ok: false, code: "malformed" });
    expect(parseVkey(`+${hex}+${b64}`)).toMatchObject({ ok: false, code: "malformed" });
    expect(parseVkey(`a b+${hex}+${b64}`)).toMatchObject({ ok: false, code: "malformed" });
    expect(parseVkey(`${name}+${hex.slice(1)}+${b64}`)).toMatchObject({ ok: false, code: "malformed" });
    expect(parseVkey(`${name}+0x${hex.slice(2)}+${b64}`)).toMatchObject({ ok: false, code: "malformed" });
    expect(parseVkey(`${name}+${hex}`)).toMatchObject({ ok: false, code: "malformed" });
    expect(parseVkey("")).toMatchObject({ ok: false, code: "malformed" });
  });

  it("formatVkey throws on programming errors", () => {
    expect(() => formatVkey("a b", pub)).toThrow(RangeError);
    expect(() => formatVkey("a", pub.subarray(1))).toThrow(RangeError);
  });

  it("cosigner vkeys use type 0x04 and their own key ID; the two parsers refuse each other's keys", () => {
    const cv = formatCosignerVkey("witness.example/w1", pub);
    const c = parseCosignerVkey(cv);
    expect(c.ok && [c.value.signatureType, c.value.keyId]).toEqual([4, noteKeyId("witness.example/w1", 4, pub)]);
    expect(fromBase64(cv.slice(cv.indexOf("+", cv.indexOf("+") + 1) + 1))?.[0]).toBe(4);
    expect(parseVkey(cv)).toMatchObject({ ok: false, code: "unknown-algorithm" });
    expect(parseCosignerVkey(formatVkey("witness.example/w1", pub))).toMatchObject({
      ok: false,
      code: "unknown-algorithm",
    });
  });

  it("signer keys round-trip and refuse a key ID that is not the derived public key's", () => {
    const signer = { name: "s", secretKey: new Uint8Array(32).fill(5) };
    const skey = formatSignerKey(signer);
    expect(parseSignerKey(skey)).toEqual({ ok: true, value: signer });
    const parts = skey.split("+");
    parts[3] = "00000000";
    expect(parseSignerKey(parts.join("+"))).toMatchObject({ ok: false, code: "wrong-key-id" });
  });
});
