import { describe, expect, test } from "vitest";
import { fromBase64, toBase64 } from "../bytes/base64.js";
import { utf8 } from "../bytes/utf8.js";
import { MANIFEST_SIGNER, ROGUE_MANIFEST_SIGNER } from "../test-support/keys.js";
import { openEnvelope, signEnvelope } from "./envelope.js";
import { pae } from "./pae.js";

const TYPE = "application/vnd.example+json";
const pinned = [{ name: MANIFEST_SIGNER.name, publicKey: MANIFEST_SIGNER.publicKey }];

describe("DSSE", () => {
  test("PAE matches the DSSE v1 spec's example encoding", () => {
    // From the DSSE protocol document: PAE("http://example.com/HelloWorld", "hello world").
    expect(new TextDecoder().decode(pae("http://example.com/HelloWorld", utf8("hello world")))).toBe(
      "DSSEv1 29 http://example.com/HelloWorld 11 hello world",
    );
  });

  test("a signed envelope opens with the pinned key and yields the exact payload", () => {
    const env = signEnvelope(TYPE, utf8('{"a":1}'), [MANIFEST_SIGNER]);
    const r = openEnvelope(env, TYPE, pinned);
    expect(r.ok && new TextDecoder().decode(r.value.payload)).toBe('{"a":1}');
    expect(r.ok && r.value.signedBy).toEqual([env.signatures[0]!.keyid]);
  });

  test("rejects: another key, wrong type, changed payload, changed signature, malformed", () => {
    const env = signEnvelope(TYPE, utf8("x"), [MANIFEST_SIGNER]);
    expect(openEnvelope(signEnvelope(TYPE, utf8("x"), [ROGUE_MANIFEST_SIGNER]), TYPE, pinned)).toMatchObject({
      ok: false,
      code: "unknown-key",
    });
    expect(openEnvelope(env, "other/type", pinned)).toMatchObject({ ok: false, code: "wrong-payload-type" });
    expect(openEnvelope({ ...env, payload: toBase64(utf8("y")) }, TYPE, pinned)).toMatchObject({
      ok: false,
      code: "bad-signature",
    });
    const sig = fromBase64(env.signatures[0]!.sig)!;
    sig[5]! ^= 1;
    expect(
      openEnvelope({ ...env, signatures: [{ ...env.signatures[0]!, sig: toBase64(sig) }] }, TYPE, pinned),
    ).toMatchObject({ ok: false, code: "bad-signature" });
    expect(openEnvelope({ ...env, extra: 1 }, TYPE, pinned)).toMatchObject({ ok: false, code: "malformed-envelope" });
    expect(openEnvelope("nope", TYPE, pinned)).toMatchObject({ ok: false, code: "malformed-envelope" });
    expect(openEnvelope({ ...env, payload: "eA" }, TYPE, pinned)).toMatchObject({
      ok: false,
      code: "malformed-envelope",
    });
  });

  test("a rogue key's valid signature next to a good one is ignored; a bad one by a pinned key fails", () => {
    const good = signEnvelope(TYPE, utf8("x"), [MANIFEST_SIGNER, ROGUE_MANIFEST_SIGNER]);
    expect(openEnvelope(good, TYPE, pinned).ok).toBe(true);
    const forged = signEnvelope(TYPE, utf8("y"), [MANIFEST_SIGNER]).signatures[0]!;
    expect(openEnvelope({ ...good, signatures: [...good.signatures, forged] }, TYPE, pinned)).toMatchObject({
      ok: false,
      code: "bad-signature",
    });
  });
});
