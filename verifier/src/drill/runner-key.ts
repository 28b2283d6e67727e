import { utf8 } from "../bytes/utf8.js";

/** The C2SP key name of a runner's key: the deployment's key-name prefix, `/runner/`, the runner's id. */
export function runnerKeyName(deployment: string, runnerId: string): string {
  return `${deployment}/runner/${runnerId}`;
}

/**
 * The bytes a runner signs to prove it holds the key it registers (POST /v1/runner/key): a fixed context
 * line and the public key in base64, each ended by a newline. The context keeps the signature from
 * meaning anything else (it is neither DSSE's PAE nor a signed note).
 */
export function runnerKeyProofMessage(publicKeyBase64: string): Uint8Array {
  return utf8(`walwarden runner key v1\n${publicKeyBase64}\n`);
}
