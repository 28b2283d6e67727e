import {
  formatVkey,
  fromBase64,
  isStrictPublicKey,
  deploymentOfOrigin,
  runnerKeyName,
  runnerKeyProofMessage,
  verify,
} from "@walwarden/verifier";
import type { RunnerKeyRequest, RunnerKeyResponse } from "@walwarden/verifier/wire";
import { logAdminAction } from "../audit/log-admin-action.js";
import type { Env } from "../env.js";
import { ApiError } from "../http/errors.js";
import { logOrigin } from "../core-env.js";

/**
 * The deployment an org's runner keys are named under: its log origin without `/log/<orgId>` (SPEC §5,
 * §11), the same rule an evidence bundle's drills check applies, so the two cannot disagree even when the
 * signing keys are named otherwise. A LOG_ORIGIN not ending in `/log` is a configuration error.
 */
export function runnerKeyDeployment(env: Pick<Env, "LOG_ORIGIN">, orgId: string): string {
  const deployment = deploymentOfOrigin(logOrigin(env, orgId), orgId);
  if (deployment === undefined) throw new Error(`LOG_ORIGIN must end in "/log" (SPEC §5), not ${env.LOG_ORIGIN}`);
  return deployment;
}

/**
 * Registers the runner's own Ed25519 key (SPEC §11) once the proof of possession verifies (strict
 * Ed25519 over runnerKeyProofMessage): named `<deployment>/runner/<runnerId>`, logged as
 * runner.key_registered (the first key) or runner.key_rotated (another one, with the previous vkey) before
 * it is stored, as every admin action. The same key again is `unchanged` and logs nothing; a proof that
 * does not verify is a 400 and logs nothing.
 */
export async function registerRunnerKey(
  env: Env,
  runner: { id: string; orgId: string },
  body: RunnerKeyRequest,
  now: number,
): Promise<RunnerKeyResponse> {
  const publicKey = fromBase64(body.publicKey);
  const proof = fromBase64(body.proof);
  if (!publicKey || !isStrictPublicKey(publicKey))
    throw new ApiError(
      400,
      "bad-request",
      "invalid body: publicKey: not a valid Ed25519 public key (canonical, not of small order)",
    );
  if (!proof || !verify(proof, runnerKeyProofMessage(body.publicKey), publicKey))
    throw new ApiError(
      400,
      "bad-request",
      "invalid body: proof: not an Ed25519 signature by this key over runnerKeyProofMessage(publicKey) (SPEC §11)",
    );
  const vkey = formatVkey(runnerKeyName(runnerKeyDeployment(env, runner.orgId), runner.id), publicKey);
  const current = await env.DB.prepare("SELECT vkey, key_registered_at FROM runners WHERE id = ?1 AND org_id = ?2")
    .bind(runner.id, runner.orgId)
    .first<{ vkey: string | null; key_registered_at: number | null }>();
  if (!current) throw new ApiError(401, "unauthenticated", "unknown or revoked runner token");
  const answer = { runnerId: runner.id, orgId: runner.orgId, vkey };
  if (current.vkey === vkey) return { ...answer, status: "unchanged" };
  const actor = `runner:${runner.id}`;
  const subject = `runner:${runner.id}`;
  // Keyed by the key it replaces (and when that was registered), so two registrations racing from the same
  // state log once, and a later change back to an earlier key is logged again.
  const onceKey = `runner-key:${runner.id}:${current.key_registered_at ?? 0}:${vkey}`;
  if (current.vkey === null)
    await logAdminAction(env, runner.orgId, {
      type: "runner.key_registered",
      actor,
      subject,
      data: { runnerId: runner.id, vkey },
      onceKey,
    });
  else
    await logAdminAction(env, runner.orgId, {
      type: "runner.key_rotated",
      actor,
      subject,
      data: { runnerId: runner.id, previousVkey: current.vkey, vkey },
      onceKey,
    });
  const stored = await env.DB.prepare(
    "UPDATE runners SET vkey = ?1, key_registered_at = ?2 WHERE id = ?3 AND org_id = ?4 AND vkey IS ?5",
  )
    .bind(vkey, now, runner.id, runner.orgId, current.vkey)
    .run();
  const status = current.vkey === null ? "registered" : "rotated";
  if (stored.meta.changes > 0) return { ...answer, status };
  // Another registration won the race: the same key (its log entry is this one's) or another one.
  const winner = await env.DB.prepare("SELECT vkey FROM runners WHERE id = ?1")
    .bind(runner.id)
    .first<{ vkey: string | null }>();
  if (winner?.vkey === vkey) return { ...answer, status };
  throw new ApiError(409, "conflict", "another key was registered for this runner at the same time: register again");
}
