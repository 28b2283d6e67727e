// What the screens take from @walwarden/verifier at run time. Its constants (event types, restore states,
// alert conditions) come from the light entry `@walwarden/verifier/constants`: no zod, a few KiB, in the
// main bundle, so the log and restore screens show them without the verifier's chunk (web/build.mjs fails
// if zod reaches the main bundle). The verifier itself (zod's schemas: most of its weight, about 580 KiB)
// is imported only by the modules that verify or decide something in this browser (verify-backup,
// verify-drill, consistency-check, retention-engine), each loaded on first use with the verifier's chunk.
import * as constants from "@walwarden/verifier/constants";

/** The verifier's constants (the light entry). */
export type VerifierConstants = typeof constants;

/** The verifier's constants, at once (they are in the main bundle). */
export const verifierConstants: VerifierConstants = constants;

/** The verifier's constants as a promise, for callers written when they came with the verifier's chunk: resolves at once. */
export function loadVerifier(): Promise<VerifierConstants> {
  return Promise.resolve(constants);
}
