import {
  cosignerOf,
  fromBase64,
  type NamedSigner,
  parseCheckpointNote,
  parseRunnerKeyName,
  type Result,
  type VerifyPolicy,
  type WitnessRefusal,
} from "@walwarden/verifier";
import type { WitnessView } from "@walwarden/verifier/wire";
import type { ApiErrorCode, Completed, WorkerApi } from "../api/worker-api.js";
import type { RunnerLogger } from "../log/logger.js";
import { type AnchorBucket, flushAnchors, pendingAnchors, queueAnchor, withOwnCosignature } from "./witness-anchors.js";
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
  /** The pinned checkpoint keys and the org's origin (the drills' kit keys, SPEC §13); `code` as kitKeys says it. */
  logPolicy: (
    orgId: string,
  ) => Promise<{ ok: true; value: VerifyPolicy } | { ok: false; message: string; code?: string }>;
  /** Where the runner anchors what it cosigns (SPEC §13 "Anchored checkpoints"); without it, nothing is anchored. */
  anchors?: AnchorBucket;
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

/** How witnessing one checkpoint ended. */
type Witnessed =
  | { kind: "cosigned"; size: string; line: string }
  | { kind: "refused"; code: string; message: string; size: string; acceptedSize: string }
  | { kind: "failed"; code: string; message: string };

/**
 * How a kit's checkpoint was witnessed (SPEC §10 "Witnessed kits"): cosigned (the answer's checkpoint now
 * carries the runner's line), refused (the record to write beside the kit), not witnessed for the runner's
 * own reasons, or to retry later (the completion stays pending).
 */
export type KitWitness =
  | { status: "cosigned"; completed: Completed; size: string }
  | { status: "refused"; completed: Completed; refusal: WitnessRefusal }
  | { status: "unwitnessed"; completed: Completed; reason: string; registered: boolean }
  | { status: "retry"; reason: string };

/** What backups need of the witness: the field complete sends, and the kit's checkpoint witnessed. */
export interface KitWitnessPort {
  completeField(): Promise<{ size: string } | undefined>;
  witnessKit(
    answer: Completed,
    sent: { size: string } | undefined,
    recomplete: (witness: { size: string }) => Promise<Result<Completed, ApiErrorCode>>,
  ): Promise<KitWitness>;
}

/** A refusal's message as a record holds it: one line, at most 2000 characters. */
const oneLine = (s: string) => s.replace(/[\p{Cc}\u2028\u2029]+/gu, " ").slice(0, 2000) || "refused";

/**
 * The runner as its org's witness (SPEC §13): the size it accepted goes with each claim and each complete;
 * the checkpoint a claim hands back, and each kit's checkpoint, is witnessed (one at a time: they share the
 * state), anchored in the bucket, cosigned and reported, or refused and reported. Nothing here throws into
 * the loop: backups go on whatever happens.
 */
export class RunnerWitness implements KitWitnessPort {
  private accepted: string | undefined;
  private busy: Promise<unknown> = Promise.resolve();
  constructor(private readonly deps: WitnessDeps) {}

  /** Runs `fn` after whatever the witness is doing (claims and kits share the state). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn);
    this.busy = run.catch(() => undefined);
    return run;
  }

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

  /** complete's `witness` field: the same as a claim's. */
  completeField(): Promise<{ size: string } | undefined> {
    return this.claimField();
  }

  /** Witnesses the checkpoint a claim handed back. */
  handle(view: WitnessView): Promise<void> {
    return this.exclusive(async () => {
      const signer = this.deps.signer();
      const orgId = this.deps.orgId();
      if (!signer || !orgId) return;
      const policy = await this.deps.logPolicy(orgId);
      if (!policy.ok) {
        this.deps.log.warn(
          { event: "witness.keys_unavailable", reason: policy.message },
          "cannot witness the log without its pinned keys",
        );
        return;
      }
      await this.witness(view.checkpoint, view.proof, signer, policy.value);
    }).catch((e: Error) =>
      this.deps.log.error({ event: "witness.failed", reason: e.message }, "witnessing the log failed"),
    );
  }

  /**
   * Witnesses a kit's checkpoint before the kit is written (SPEC §10 "Witnessed kits"). `sent` is the size
   * the answer's proof starts from; if the state moved on since (another kit or a claim was witnessed), the
   * proof no longer fits and complete is sent again with the size held now (`recomplete`).
   */
  witnessKit(
    answer: Completed,
    sent: { size: string } | undefined,
    recomplete: (witness: { size: string }) => Promise<Result<Completed, ApiErrorCode>>,
  ): Promise<KitWitness> {
    const unwitnessed = (completed: Completed, reason: string, registered = true): KitWitness => ({
      status: "unwitnessed",
      completed,
      reason,
      registered,
    });
    return this.exclusive(async (): Promise<KitWitness> => {
      const signer = this.deps.signer();
      const orgId = this.deps.orgId();
      if (!signer || !orgId)
        return unwitnessed(
          answer,
          "the runner key is not registered (drills off?): the runner does not witness",
          false,
        );
      if (!sent) return unwitnessed(answer, "complete went without the witness's size: its state could not be read");
      const state = await loadWitnessState(this.deps.stateDir);
      if (!state.ok) return unwitnessed(answer, state.message);
      const current = state.value ? state.value.size.toString() : "0";
      let completed = answer;
      if (current !== sent.size) {
        const again = await recomplete({ size: current });
        if (!again.ok) return { status: "retry", reason: `complete again from size ${current}: ${again.message}` };
        completed = again.value;
      }
      if (!completed.witnessProof)
        return unwitnessed(
          completed,
          "the Worker's answer carries no witnessProof (a Worker older than witnessed kits)",
        );
      const policy = await this.deps.logPolicy(orgId);
      if (!policy.ok)
        return policy.code === "keys-unavailable"
          ? { status: "retry", reason: policy.message }
          : unwitnessed(completed, policy.message);
      const r = await this.witness(completed.checkpoint, completed.witnessProof, signer, policy.value);
      if (r.kind === "cosigned")
        return {
          status: "cosigned",
          size: r.size,
          completed: { ...completed, checkpoint: withOwnCosignature(completed.checkpoint, r.line, cosignerOf(signer)) },
        };
      if (r.kind === "failed") return unwitnessed(completed, `${r.code}: ${r.message}`);
      return {
        status: "refused",
        completed,
        refusal: {
          v: 1,
          at: new Date().toISOString(),
          code: r.code,
          message: oneLine(r.message),
          acceptedSize: r.acceptedSize,
          size: r.size,
          proof: completed.witnessProof,
        },
      };
    });
  }

  /**
   * One witness step (SPEC §13), under exclusive(): the anchors still queued written first, then the step
   * (the checkpoint queued for anchoring before the state is stored), the anchors written, and the
   * cosignature or the refusal reported to the Worker.
   */
  private async witness(
    note: string,
    proofBase64: readonly string[],
    signer: NamedSigner,
    policy: VerifyPolicy,
  ): Promise<Witnessed> {
    const { log, api, stateDir, anchors } = this.deps;
    const runnerId = parseRunnerKeyName(signer.name)?.runnerId;
    if (anchors && runnerId && (await pendingAnchors(stateDir)) > 0) await this.flush(signer, runnerId);
    const proof = proofBase64.map((h) => fromBase64(h)!);
    const parsed = parseCheckpointNote(note);
    const size = parsed.ok ? parsed.value.size.toString() : "0";
    const held = await loadWitnessState(stateDir);
    const before = held.ok && held.value ? held.value.size.toString() : "0";
    const r = await witnessCheckpoint({
      stateDir,
      note,
      proof,
      logKeys: policy.checkpointKeys,
      origin: policy.origin!,
      signer,
      nowSeconds: Math.floor(Date.now() / 1000),
      ...(anchors && runnerId
        ? { beforeStore: (previous, next) => queueAnchor(stateDir, previous, next, note, proof) }
        : {}),
    });
    if (r.ok) {
      this.accepted = r.value.size.toString();
      if (anchors && runnerId) await this.flush(signer, runnerId);
      const sent = await api.witness({ size: this.accepted, cosignature: r.value.cosignature });
      if (!sent.ok)
        log.warn({ event: "witness.report_failed", reason: sent.message }, "the Worker did not take the cosignature");
      else log.info({ event: "witness.cosigned", size: this.accepted }, "cosigned the log's checkpoint");
      return { kind: "cosigned", size: this.accepted, line: r.value.cosignature };
    }
    if (!LOG_REFUSALS.has(r.code)) {
      log.error({ event: "witness.failed", code: r.code, reason: r.message }, "could not witness the log's checkpoint");
      return { kind: "failed", code: r.code, message: r.message };
    }
    log.error(
      { event: "witness.refused", code: r.code, size, acceptedSize: before, reason: r.message },
      "refused the log's checkpoint: the log may have shown this runner another history",
    );
    const sent = await api.witness({
      size,
      refused: { acceptedSize: before, code: r.code, message: oneLine(r.message) },
    });
    if (!sent.ok)
      log.warn({ event: "witness.report_failed", reason: sent.message }, "the Worker did not take the refusal");
    return { kind: "refused", code: r.code, message: r.message, size, acceptedSize: before };
  }

  /** Writes the queued anchors out; a failure is logged and they stay queued for the next step. */
  private async flush(signer: NamedSigner, runnerId: string): Promise<void> {
    const { log, stateDir, anchors } = this.deps;
    if (!anchors) return;
    const state = await loadWitnessState(stateDir);
    if (!state.ok) return;
    const r = await flushAnchors(stateDir, state.value, anchors, signer, runnerId);
    if (!r.ok)
      log.warn(
        { event: "witness.anchor_failed", code: r.code, reason: r.message },
        "could not anchor the cosigned checkpoints in the bucket: kept in the state dir and retried",
      );
    else if (r.value > 0) log.info({ event: "witness.anchored", count: r.value }, "anchored cosigned checkpoints");
  }
}
