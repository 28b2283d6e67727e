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

const RUNNER_KEY_NAME = /^(.+)\/runner\/([A-Za-z0-9_.:-]{1,128})$/;

/** The deployment and runner id of a runner key name `<deployment>/runner/<runnerId>`, or undefined for any other name. */
export function parseRunnerKeyName(name: string): { deployment: string; runnerId: string } | undefined {
  const m = RUNNER_KEY_NAME.exec(name);
  return m ? { deployment: m[1]!, runnerId: m[2]! } : undefined;
}

/**
 * The deployment of an org's log origin `<deployment>/log/<orgId>` (SPEC §5), whose runner keys are named
 * `<deployment>/runner/<runnerId>`; undefined if the origin is not that org's.
 */
export function deploymentOfOrigin(origin: string, orgId: string): string | undefined {
  const suffix = `/log/${orgId}`;
  return origin.endsWith(suffix) && origin.length > suffix.length ? origin.slice(0, -suffix.length) : undefined;
}
