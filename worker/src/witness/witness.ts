import { clipText, parseVkey, redactSecrets, toBase64 } from "@walwarden/verifier";
import type { WitnessReport, WitnessView } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { appendToLog, ledgerOf } from "../ledger/client.js";

/** The runner's registered key as a witness key (its name and Ed25519 public key), or null without one. */
async function witnessKeyOf(env: Env, runner: { id: string; orgId: string }) {
  const row = await env.DB.prepare("SELECT vkey FROM runners WHERE id = ?1 AND org_id = ?2")
    .bind(runner.id, runner.orgId)
    .first<{ vkey: string | null }>();
  if (!row?.vkey) return null;
  const key = parseVkey(row.vkey);
  return key.ok ? { name: key.value.name, publicKey: toBase64(key.value.publicKey) } : null;
}

/**
 * What a witnessing runner at `size` is handed with its claim (SPEC §13): the newest checkpoint and the
 * proof from its size, or undefined when the log is no larger or the runner has no registered key (its
 * cosignatures could not be checked, so it is not asked for them).
 */
export async function witnessViewFor(
  env: Env,
  runner: { id: string; orgId: string },
  size: string,
): Promise<WitnessView | undefined> {
  const from = Number(size);
  if (!Number.isSafeInteger(from)) return undefined;
  if (!(await witnessKeyOf(env, runner))) return undefined;
  const view = await ledgerOf(env, runner.orgId).witnessView(runner.orgId, from);
  if (!view.ok) throw new Error(view.message);
  return view.value ?? undefined;
}

/** What a witness report did: kept the cosignature, logged the refusal, or refused the report itself. */
export type WitnessReportOutcome =
  | { kind: "cosigned" }
  | { kind: "refusal-logged" }
  | { kind: "bad-report"; message: string };

/**
 * A runner's witness report (SPEC §13): its cosignature is checked by the Ledger against its registered key
 * over the checkpoint signed at that size and kept; a refusal is logged as `witness.refused` once per
 * runner, accepted size and code: a runner that keeps refusing a forked log (whose every append is a new
 * size) logs it once, not once per poll.
 */
export async function acceptWitnessReport(
  env: Env,
  runner: { id: string; orgId: string },
  report: WitnessReport,
  now: number,
): Promise<WitnessReportOutcome> {
  const size = Number(report.size);
  if (!Number.isSafeInteger(size)) return { kind: "bad-report", message: `size ${report.size} is beyond this log` };
  if ("refused" in report) {
    const message = clipText(redactSecrets(report.refused.message), 500);
    await appendToLog(env, runner.orgId, [
      {
        key: `witness-refused:${runner.id}:${report.refused.acceptedSize}:${report.refused.code}`,
        type: "witness.refused",
        actor: `runner:${runner.id}`,
        subject: `runner:${runner.id}`,
        data: {
          runnerId: runner.id,
          size: report.size,
          acceptedSize: report.refused.acceptedSize,
          code: report.refused.code,
          message,
        },
      },
    ]);
    return { kind: "refusal-logged" };
  }
  const key = await witnessKeyOf(env, runner);
  if (!key)
    return { kind: "bad-report", message: "this runner has registered no key to cosign with (POST /v1/runner/key)" };
  const kept = await ledgerOf(env, runner.orgId).addCosignature(runner.orgId, size, key, report.cosignature, now);
  if (!kept.ok) return { kind: "bad-report", message: kept.message };
  return { kind: "cosigned" };
}
