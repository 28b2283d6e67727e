import { describe, expect, test } from "vitest";
import { fromBase64, toBase64 } from "../bytes/base64.js";
import { utf8 } from "../bytes/utf8.js";
import { signEnvelope } from "../dsse/envelope.js";
import { canonicalBytes } from "../jcs/canonicalize.js";
import { MANIFEST_SIGNER, ROGUE_MANIFEST_SIGNER } from "../test-support/keys.js";
import { samplePredicate } from "../test-support/predicate.js";
import { buildStatement, signManifest } from "./build-manifest.js";
import { INTOTO_PAYLOAD_TYPE } from "./statement.js";
import { verifyManifest } from "./verify-manifest.js";

const keys = [{ name: MANIFEST_SIGNER.name, publicKey: MANIFEST_SIGNER.publicKey }];
const digest = "0123456789abcdef".repeat(4);

function resign(statement: unknown) {
  return signEnvelope(INTOTO_PAYLOAD_TYPE, canonicalBytes(statement), [MANIFEST_SIGNER]);
}

describe("verifyManifest", () => {
  test("a signed manifest verifies, with and without the artifact digest", () => {
    const env = signManifest(samplePredicate(), digest, MANIFEST_SIGNER);
    const r = verifyManifest(env, keys, digest);
    expect(r.ok).toBe(true);
    expect(r.ok && r.value.artifact).toEqual({
      uri: "s3://acme-backups/walwarden/db_main/2026/11/24/bk_01.dump.zst",
      sha256: digest,
    });
    expect(verifyManifest(env, keys).ok).toBe(true);
  });

  test("a different artifact digest is rejected", () => {
    const env = signManifest(samplePredicate(), digest, MANIFEST_SIGNER);
    expect(verifyManifest(env, keys, "f".repeat(64))).toMatchObject({ ok: false, code: "digest-mismatch" });
  });

  test("an unpinned key is rejected even if its signature is valid", () => {
    expect(verifyManifest(signManifest(samplePredicate(), digest, ROGUE_MANIFEST_SIGNER), keys)).toMatchObject({
      ok: false,
      code: "unknown-key",
    });
  });

  test("every field of the statement is covered by the signature", () => {
    const env = signManifest(samplePredicate(), digest, MANIFEST_SIGNER);
    const payload = fromBase64(env.payload)!;
    for (let i = 0; i < payload.length; i += 7) {
      const bad = payload.slice();
      bad[i]! ^= 0x01;
      expect(verifyManifest({ ...env, payload: toBase64(bad) }, keys).ok).toBe(false);
    }
  });

  test("well-signed but wrong statements are rejected with their reason", () => {
    const st = buildStatement(samplePredicate(), digest);
    expect(verifyManifest(resign({ ...st, predicateType: "https://example.com/other" }), keys)).toMatchObject({
      code: "wrong-predicate-type",
    });
    expect(verifyManifest(resign({ ...st, predicate: { ...st.predicate, sizeBytes: -1 } }), keys)).toMatchObject({
      code: "invalid-predicate",
    });
    expect(verifyManifest(resign({ ...st, predicate: { ...st.predicate, secret: "x" } }), keys)).toMatchObject({
      code: "invalid-predicate",
    });
    expect(
      verifyManifest(resign({ ...st, subject: [{ name: "s3://other/key", digest: { sha256: digest } }] }), keys),
    ).toMatchObject({ code: "subject-mismatch" });
    expect(verifyManifest(resign({ ...st, _type: "https://in-toto.io/Statement/v0.1" }), keys)).toMatchObject({
      code: "malformed-statement",
    });
    // Signed bytes that are valid JSON but not canonical: verifiers must not accept re-serialisable variants.
    const loose = signEnvelope(INTOTO_PAYLOAD_TYPE, utf8(JSON.stringify(st, null, 1)), [MANIFEST_SIGNER]);
    expect(verifyManifest(loose, keys)).toMatchObject({ code: "malformed-statement" });
  });
});
