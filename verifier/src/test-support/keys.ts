import type { NamedSigner } from "../dsse/envelope.js";
import { publicKeyOf } from "../ed25519/ed25519.js";

/** A deterministic Ed25519 signer for tests: the seed is 32 copies of `byte`. */
export function testSigner(name: string, byte: number): NamedSigner {
  const secretKey = new Uint8Array(32).fill(byte);
  return { name, secretKey, publicKey: publicKeyOf(secretKey) };
}

/** The test deployment's checkpoint key. */
export const CHECKPOINT_SIGNER = testSigner("test.walwarden.dev/checkpoint", 1);
/** The test deployment's manifest key. */
export const MANIFEST_SIGNER = testSigner("test.walwarden.dev/manifest", 2);
/** A key nobody pinned. */
export const ROGUE_MANIFEST_SIGNER = testSigner("test.walwarden.dev/manifest", 3);
/** A runner's key (seed 0x05), named as the Worker names runner rn_01's (SPEC §11). */
export const RUNNER_SIGNER = testSigner("test.walwarden.dev/runner/rn_01", 5);
