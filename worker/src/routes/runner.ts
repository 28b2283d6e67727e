import { Hono } from "hono";
import { Id } from "@walwarden/verifier";
import {
  ClaimRequestSchema,
  ClaimResponseSchema,
  CompleteRequestSchema,
  CompleteResponseSchema,
  DrillResultRequestSchema,
  DrillResultResponseSchema,
  FailRequestSchema,
  FailResponseSchema,
  HeartbeatRequestSchema,
  HeartbeatResponseSchema,
  PruneReportRequestSchema,
  PruneReportResponseSchema,
  RunnerKeyRequestSchema,
  RunnerKeyResponseSchema,
  WitnessReportResponseSchema,
  WitnessReportSchema,
} from "@walwarden/verifier/wire";
import { requireRunner } from "../auth/middleware.js";
import { ApiError } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { reply } from "../http/reply.js";
import { jsonBody, param } from "../http/validate.js";
import { claimJob } from "../jobs/claim.js";
import { completeJob } from "../jobs/complete.js";
import { failJob } from "../jobs/fail.js";
import { heartbeat } from "../jobs/heartbeat.js";
import { acceptDrillResult } from "../drills/result.js";
import { registerRunnerKey } from "../drills/runner-key.js";
import { acceptPruneReport } from "../retention/prune-report.js";
import { logError } from "../log/log-error.js";
import { recordPosture } from "../posture/record-posture.js";
import { acceptWitnessReport, witnessViewFor } from "../witness/witness.js";

const LEASE_LOST = "this lease is not current: the job was re-queued, finished, or the lease expired";

/**
 * The runner protocol: its key, claim (with the witness's view of the log), witness (its cosignature or
 * refusal), heartbeat, complete (a backup), drill (a drill's receipt), prune (a prune's report), fail.
 * Runner token auth; every call scoped to its org.
 */
export const runnerRoutes = new Hono<AppEnv>()
  .use(requireRunner())
  .post("/key", async (c) => {
    const body = await jsonBody(c, RunnerKeyRequestSchema);
    return reply(c, RunnerKeyResponseSchema, await registerRunnerKey(c.env, c.get("runner"), body, Date.now()));
  })
  .post("/claim", async (c) => {
    const body = await jsonBody(c, ClaimRequestSchema);
    if (body.posture) {
      const posture = await recordPosture(c.env, c.get("runner"), body.databases, body.posture, Date.now());
      // A posture the log cannot take is the Worker's to fix (the runner checks the same schema): say so, claim on.
      if (posture.kind === "refused") logError("bucket posture not logged", posture.reason);
    }
    const job = await claimJob(c.env, c.get("runner"), body.databases, body.kinds, body.version, Date.now());
    const witness = body.witness ? await witnessViewFor(c.env, c.get("runner"), body.witness.size) : undefined;
    return reply(c, ClaimResponseSchema, witness ? { job, witness } : { job });
  })
  .post("/witness", async (c) => {
    const body = await jsonBody(c, WitnessReportSchema);
    const done = await acceptWitnessReport(c.env, c.get("runner"), body, Date.now());
    if (done.kind === "bad-report") throw new ApiError(400, "bad-request", done.message);
    return reply(c, WitnessReportResponseSchema, { accepted: done.kind === "cosigned" });
  })
  .post("/jobs/:jobId/heartbeat", async (c) => {
    const jobId = param(c, "jobId", Id);
    const body = await jsonBody(c, HeartbeatRequestSchema);
    const until = await heartbeat(c.env, c.get("runner"), jobId, body.leaseId, body.progress, Date.now());
    if (!until) throw new ApiError(409, "lease-lost", LEASE_LOST);
    return reply(c, HeartbeatResponseSchema, { leaseExpiresAt: until });
  })
  .post("/jobs/:jobId/complete", async (c) => {
    const jobId = param(c, "jobId", Id);
    const body = await jsonBody(c, CompleteRequestSchema);
    const done = await completeJob(c.env, c.get("runner"), jobId, body, Date.now());
    if (!done.ok) {
      // The two 409s are the wire's CompleteRefusalCodeSchema: what each guarantees about signing is documented there.
      if (done.code === "lease-lost" || done.code === "completion-mismatch")
        throw new ApiError(409, done.code, done.message);
      if (done.code === "bad-result") throw new ApiError(400, "bad-request", done.message);
      throw new Error(done.message);
    }
    return reply(c, CompleteResponseSchema, done.value);
  })
  .post("/jobs/:jobId/drill", async (c) => {
    const jobId = param(c, "jobId", Id);
    const body = await jsonBody(c, DrillResultRequestSchema);
    const done = await acceptDrillResult(c.env, c.get("runner"), jobId, body, Date.now());
    if (!done.ok) {
      // As for complete: lease-lost and completion-mismatch say nothing was accepted for this receipt.
      if (done.code === "lease-lost" || done.code === "completion-mismatch")
        throw new ApiError(409, done.code, done.message);
      throw new ApiError(400, "bad-request", done.message);
    }
    return reply(c, DrillResultResponseSchema, done.value);
  })
  .post("/jobs/:jobId/prune", async (c) => {
    const jobId = param(c, "jobId", Id);
    const body = await jsonBody(c, PruneReportRequestSchema);
    const done = await acceptPruneReport(c.env, c.get("runner"), jobId, body, Date.now());
    if (!done.ok) {
      // As for complete: lease-lost and completion-mismatch say nothing was taken from this report.
      if (done.code === "lease-lost" || done.code === "completion-mismatch")
        throw new ApiError(409, done.code, done.message);
      throw new ApiError(400, "bad-request", done.message);
    }
    return reply(c, PruneReportResponseSchema, done.value);
  })
  .post("/jobs/:jobId/fail", async (c) => {
    const jobId = param(c, "jobId", Id);
    const body = await jsonBody(c, FailRequestSchema);
    const outcome = await failJob(c.env, c.get("runner"), jobId, body.leaseId, body.reason, body.retryable, Date.now());
    if (!outcome) throw new ApiError(409, "lease-lost", LEASE_LOST);
    return reply(c, FailResponseSchema, outcome);
  });
