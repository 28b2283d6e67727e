import { type BucketPosture, clipText, err, ok, type Result, redactSecrets } from "@walwarden/verifier";
import {
  ApiErrorSchema,
  ClaimResponseSchema,
  CompleteRefusalCodeSchema,
  CompleteResponseSchema,
  DrillResultResponseSchema,
  FailResponseSchema,
  HeartbeatResponseSchema,
  PruneReportResponseSchema,
  RunnerKeyResponseSchema,
  WitnessReportResponseSchema,
  type WitnessReport,
  type WitnessView,
  type ClaimedBackupJob,
  type ClaimedDrillJob,
  type ClaimedJob,
  type ClaimedPruneJob,
  type PruneReportRequest,
  type DrillResultRequest,
  type DrillResultResponse,
  type RunnerKeyRequest,
  type RunnerKeyResponse,
  type CompleteRequest,
  type CompleteResponse,
  type FailResponse,
  type HeartbeatProgress,
} from "@walwarden/verifier/wire";
import type { z } from "zod";

// The runner's names for the wire's types (defined once, in @walwarden/verifier/wire).
export type {
  ClaimedBackupJob,
  ClaimedDrillJob,
  ClaimedJob,
  ClaimedPruneJob,
  CompleteRequest,
  DrillResultResponse,
  PruneReportRequest,
  RunnerKeyResponse,
};
/** The Worker's answer to a prune report: how many backup.expired and backup.expiry_blocked entries it logged. */
export type PruneReportResponse = z.infer<typeof PruneReportResponseSchema>;
/** The kinds of job a runner asks for. */
export type JobKind = ClaimedJob["kind"];
/** The signed manifest, the log entry, its inclusion proof and the checkpoint (the wire's CompleteResponse). */
export type Completed = CompleteResponse;
/** Backup progress sent with a heartbeat (the wire's HeartbeatProgress). */
export type Progress = HeartbeatProgress;

/**
 * Why a Worker call failed: the lease is gone (stop the job), complete's body differs from the one this
 * lease completed with, the Worker refused (another 4xx), it could not be reached (network, 5xx), or its
 * answer did not parse. For complete, only `lease-lost` says nothing was signed (CompleteRefusalCodeSchema).
 */
export type ApiErrorCode = "lease-lost" | "completion-mismatch" | "refused" | "unavailable" | "bad-response";

/** Pauses between retries of a call the Worker could not answer (network error or 5xx). */
const RETRY_DELAYS_MS = [250, 1000, 3000, 8000];

/**
 * The runner protocol over HTTP (POST /v1/runner/…, Bearer runner token). Calls are retried on network
 * errors and 5xx (every call is safe to repeat: complete and fail are idempotent per lease); answers are
 * parsed with the verifier's wire schemas.
 */
export class WorkerApi {
  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly retryDelaysMs: readonly number[] = RETRY_DELAYS_MS,
    /** Secrets this runner holds (knownSecrets): never in a reason it sends. */
    private readonly secrets: readonly string[] = [],
  ) {}

  /**
   * Asks for a job of one of `kinds` for one of `databases`; null when there is none. `posture`, when given,
   * is the bucket's posture as just read (SPEC §12; the loop sends it every few minutes, not every claim).
   * `witness`, the size this runner accepted as its org's witness (SPEC §13), asks for the log's newest
   * checkpoint when it is larger: the answer's `witness`.
   */
  async claim(
    version: string,
    databases: string[],
    kinds: readonly JobKind[] = ["backup"],
    posture?: BucketPosture,
    witness?: { size: string },
  ): Promise<Result<{ job: ClaimedJob | null; witness?: WitnessView }, ApiErrorCode>> {
    return this.post(
      "/v1/runner/claim",
      { version, databases, kinds, ...(posture ? { posture } : {}), ...(witness ? { witness } : {}) },
      ClaimResponseSchema,
    );
  }

  /** Sends the witness's cosignature or refusal of a checkpoint (POST /v1/runner/witness; SPEC §13). */
  async witness(report: WitnessReport): Promise<Result<{ accepted: boolean }, ApiErrorCode>> {
    return this.post("/v1/runner/witness", report, WitnessReportResponseSchema);
  }

  /** Registers the runner's public key with its proof of possession (POST /v1/runner/key). */
  async registerKey(body: RunnerKeyRequest): Promise<Result<RunnerKeyResponse, ApiErrorCode>> {
    return this.post("/v1/runner/key", body, RunnerKeyResponseSchema);
  }

  /** Reports a drill's signed receipt (POST /v1/runner/jobs/:jobId/drill; idempotent per job and lease). */
  async drillResult(jobId: string, body: DrillResultRequest): Promise<Result<DrillResultResponse, ApiErrorCode>> {
    return this.post(`/v1/runner/jobs/${encodeURIComponent(jobId)}/drill`, body, DrillResultResponseSchema);
  }

  /** Reports every target's outcome of a prune (POST /v1/runner/jobs/:jobId/prune); completes the job. */
  async pruneReport(jobId: string, body: PruneReportRequest): Promise<Result<PruneReportResponse, ApiErrorCode>> {
    return this.post(`/v1/runner/jobs/${encodeURIComponent(jobId)}/prune`, body, PruneReportResponseSchema);
  }

  /** Extends the lease and reports progress; returns the new expiry. */
  async heartbeat(jobId: string, leaseId: string, progress: Progress): Promise<Result<string, ApiErrorCode>> {
    const r = await this.post(
      `/v1/runner/jobs/${encodeURIComponent(jobId)}/heartbeat`,
      { leaseId, progress },
      HeartbeatResponseSchema,
    );
    return r.ok ? ok(r.value.leaseExpiresAt) : r;
  }

  /**
   * Completes the job: the Worker signs the manifest and logs backup.completed. `witness`, the size this
   * runner accepted as its org's witness, asks for the proof from it to the answer's checkpoint
   * (`witnessProof`, SPEC §10 "Witnessed kits"); it is not part of the completion (the body's own `witness`,
   * if any, is replaced), so each try may send the size it holds then.
   */
  async complete(
    jobId: string,
    body: CompleteRequest,
    witness?: { size: string },
  ): Promise<Result<Completed, ApiErrorCode>> {
    const { witness: _stored, ...measured } = body;
    return this.post(
      `/v1/runner/jobs/${encodeURIComponent(jobId)}/complete`,
      witness ? { ...measured, witness } : measured,
      CompleteResponseSchema,
    );
  }

  /** Fails the job with a reason people will read (logged as backup.failed), redacted before it leaves. */
  async fail(
    jobId: string,
    leaseId: string,
    reason: string,
    retryable: boolean,
  ): Promise<Result<FailResponse, ApiErrorCode>> {
    return this.post(
      `/v1/runner/jobs/${encodeURIComponent(jobId)}/fail`,
      { leaseId, reason: clipText(redactSecrets(reason, [this.token, ...this.secrets]), 4000), retryable },
      FailResponseSchema,
    );
  }

  private async post<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<Result<T, ApiErrorCode>> {
    let last: Result<T, ApiErrorCode> = err("unavailable", "not tried");
    for (let attempt = 0; attempt <= this.retryDelaysMs.length; attempt++) {
      if (attempt > 0) await sleep(this.retryDelaysMs[attempt - 1]!);
      last = await this.once(path, body, schema);
      if (last.ok || last.code !== "unavailable") return last;
    }
    return last;
  }

  private async once<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<Result<T, ApiErrorCode>> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.base), {
        method: "POST",
        headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (e) {
      return err("unavailable", `cannot reach the Walwarden API at ${this.base}: ${causeOf(e)}`);
    }
    const text = await res.text().catch(() => "");
    if (res.status >= 500)
      return err("unavailable", `the Walwarden API answered ${res.status} to ${path}: ${text.slice(0, 300)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return err(
        "bad-response",
        `the Walwarden API answered ${res.status} to ${path} with something that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (!res.ok) {
      const e = ApiErrorSchema.safeParse(json);
      const code = e.success ? e.data.error.code : "unknown";
      const message = e.success ? e.data.error.message : text.slice(0, 300);
      const refusal = res.status === 409 ? CompleteRefusalCodeSchema.safeParse(code) : undefined;
      return err(refusal?.success ? refusal.data : "refused", `${path} → ${res.status} ${code}: ${message}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      return err("bad-response", `unexpected answer from ${path}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    return ok(parsed.data);
  }
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

/** Resolves after `ms`. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
