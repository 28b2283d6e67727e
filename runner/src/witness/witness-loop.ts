import { type NamedSigner, parseCheckpointNote, type VerifyPolicy, fromBase64 } from "@walwarden/verifier";
import type { WitnessView } from "@walwarden/verifier/wire";
import type { WorkerApi } from "../api/worker-api.js";
import type { RunnerLogger } from "../log/logger.js";
import { witnessCheckpoint } from "./witness-checkpoint.js";
import { loadWitnessState } from "./witness-store.js";

/** What the runner's witness needs from its context. */
export interface WitnessDeps {
  stateDir: string;
  api: Pick<WorkerApi, "witness">;
  log: RunnerLogger;
  /** The runner key as registered (undefined before: the runner does not witness without it). */
  signer: () => NamedSigner | undefined;
  /** The runner's org, from its key registration. */
  orgId: () => string | undefined;
  /** The pinned checkpoint keys and the org's origin (the drills' kit keys, SPEC §13). */
  logPolicy: (orgId: string) => Promise<{ ok: true; value: VerifyPolicy } | { ok: false; message: string }>;
}

/** Refusals that are the log's (reported to the Worker and logged there); the others are the runner's own. */
const LOG_REFUSALS = new Set([
  "rollback",
  "fork",
  "inconsistent",
  "malformed",
  "wrong-origin",
  "unknown-key",
  "bad-signature",
]);

/**
 * The runner as its org's witness in the job loop (SPEC §13): the size it accepted goes with each claim, and
 * the checkpoint a claim hands back is witnessed (one at a time: slots share the state), cosigned and
 * reported, or refused and reported. Nothing here throws into the loop: backups go on whatever happens.
 */
export class RunnerWitness {
  private accepted: string | undefined;
  private busy: Promise<void> = Promise.resolve();

  constructor(private readonly deps: WitnessDeps) {}

  /** The claim's `witness` field: the accepted size ("0" before the first), or undefined without a key. */
  async claimField(): Promise<{ size: string } | undefined> {
    if (!this.deps.signer() || !this.deps.orgId()) return undefined;
    if (this.accepted === undefined) {
      const state = await loadWitnessState(this.deps.stateDir);
      if (!state.ok) {
        this.deps.log.error(
          { event: "witness.state_unreadable", reason: state.message },
          "the runner does not witness the log",
        );
        return undefined;
      }
      this.accepted = state.value ? state.value.size.toString() : "0";
    }
    return { size: this.accepted };
  }

  /** Witnesses the checkpoint a claim handed back. */
  handle(view: WitnessView): Promise<void> {
    this.busy = this.busy
      .then(() => this.witness(view))
      .catch((e: Error) =>
        this.deps.log.error({ event: "witness.failed", reason: e.message }, "witnessing the log failed"),
      );
    return this.busy;
  }

  private async witness(view: WitnessView): Promise<void> {
    const { log, api } = this.deps;
    const signer = this.deps.signer();
    const orgId = this.deps.orgId();
    if (!signer || !orgId) return;
    const policy = await this.deps.logPolicy(orgId);
    if (!policy.ok) {
      log.warn(
        { event: "witness.keys_unavailable", reason: policy.message },
        "cannot witness the log without its pinned keys",
      );
      return;
    }
    const proof = view.proof.map((h) => fromBase64(h)!);
    const parsed = parseCheckpointNote(view.checkpoint);
    const size = parsed.ok ? parsed.value.size.toString() : "0";
    const before = this.accepted ?? "0";
    const r = await witnessCheckpoint({
      stateDir: this.deps.stateDir,
      note: view.checkpoint,
      proof,
      logKeys: policy.value.checkpointKeys,
      origin: policy.value.origin!,
      signer,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (r.ok) {
      this.accepted = r.value.size.toString();
      const sent = await api.witness({ size: this.accepted, cosignature: r.value.cosignature });
      if (!sent.ok)
        log.warn({ event: "witness.report_failed", reason: sent.message }, "the Worker did not take the cosignature");
      else log.info({ event: "witness.cosigned", size: this.accepted }, "cosigned the log's checkpoint");
      return;
    }
    if (!LOG_REFUSALS.has(r.code)) {
      log.error({ event: "witness.failed", code: r.code, reason: r.message }, "could not witness the log's checkpoint");
      return;
    }
    log.error(
      { event: "witness.refused", code: r.code, size, acceptedSize: before, reason: r.message },
      "refused the log's checkpoint: the log may have shown this runner another history",
    );
    const sent = await api.witness({
      size,
      refused: { acceptedSize: before, code: r.code, message: r.message.slice(0, 2000) },
    });
    if (!sent.ok)
      log.warn({ event: "witness.report_failed", reason: sent.message }, "the Worker did not take the refusal");
  }
}
