import { z } from "zod";
import { fromBase64, toBase64 } from "../bytes/base64.js";
import { sign, verify, type Ed25519Verify } from "../ed25519/ed25519.js";
import { dsseKeyId } from "./key-id.js";
import { err, ok, type Result } from "../result.js";
import { pae } from "./pae.js";

/** A DSSE envelope as stored (JSON): base64 payload, its type, and one or more signatures. */
export const DsseEnvelopeSchema = z.strictObject({
  payload: z.string(),
  payloadType: z.string().min(1),
  signatures: z
    .array(z.strictObject({ keyid: z.string(), sig: z.string() }))
    .min(1)
    .max(16),
});
/** A DSSE envelope. */
export type DsseEnvelope = z.infer<typeof DsseEnvelopeSchema>;

/** An Ed25519 signing key with the C2SP key name it is published under. */
export interface NamedSigner {
  name: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** A pinned Ed25519 verification key with the name it was published under. */
export interface NamedVerifier {
  name: string;
  publicKey: Uint8Array;
}

/** Signs payload bytes into a DSSE envelope with one signature per signer. */
export function signEnvelope(payloadType: string, payload: Uint8Array, signers: NamedSigner[]): DsseEnvelope {
  const message = pae(payloadType, payload);
  return {
    payload: toBase64(payload),
    payloadType,
    signatures: signers.map((s) => ({
      keyid: dsseKeyId(s.name, s.publicKey),
      sig: toBase64(sign(message, s.secretKey)),
    })),
  };
}

/** Why an envelope did not verify. */
export type EnvelopeErrorCode = "malformed-envelope" | "wrong-payload-type" | "unknown-key" | "bad-signature";

/** What a verified envelope yields: the exact signed payload bytes and who signed them. */
export interface OpenedEnvelope {
  payload: Uint8Array;
  signedBy: string[];
}

/**
 * Verifies a DSSE envelope against pinned keys. Keys are matched by `keyid` (name + C2SP key ID), never
 * taken from the envelope. Any signature by a pinned key that fails is an error; at least one must pass.
 */
export function openEnvelope(
  input: unknown,
  expectedPayloadType: string,
  verifiers: NamedVerifier[],
  verifySignature: Ed25519Verify = verify,
): Result<OpenedEnvelope, EnvelopeErrorCode> {
  const parsed = DsseEnvelopeSchema.safeParse(input);
  if (!parsed.success)
    return err("malformed-envelope", `not a DSSE envelope: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const env = parsed.data;
  if (env.payloadType !== expectedPayloadType)
    return err(
      "wrong-payload-type",
      `payloadType is ${JSON.stringify(env.payloadType)}, expected ${expectedPayloadType}`,
    );
  const payload = fromBase64(env.payload);
  if (!payload) return err("malformed-envelope", "payload is not canonical base64");
  const byId = new Map(verifiers.map((v) => [dsseKeyId(v.name, v.publicKey), v]));
  const message = pae(env.payloadType, payload);
  const signedBy: string[] = [];
  for (const s of env.signatures) {
    const key = byId.get(s.keyid);
    if (!key) continue;
    const sig = fromBase64(s.sig);
    if (!sig || !verifySignature(sig, message, key.publicKey))
      return err("bad-signature", `signature by ${s.keyid} does not verify`);
    if (!signedBy.includes(s.keyid)) signedBy.push(s.keyid);
  }
  if (signedBy.length === 0)
    return err(
      "unknown-key",
      `no signature by a pinned key (envelope keyids: ${env.signatures.map((s) => s.keyid).join(", ")})`,
    );
  return ok({ payload, signedBy });
}
