import { z } from "zod";
import { DsseEnvelopeSchema } from "../dsse/envelope.js";
import { Sha256Hex } from "../schema/common.js";

/** POST /v1/verify with JSON: a manifest envelope, optionally with the artifact's SHA-256. (A bundle is sent as application/zip.) */
export const VerifyManifestRequestSchema = z.strictObject({
  envelope: DsseEnvelopeSchema,
  artifactSha256: Sha256Hex.optional(),
});

/** The outcome of one check: `skip` is for a check the input cannot decide (said why in `detail`). */
export const CheckStatusSchema = z.enum(["pass", "fail", "skip"]);
/** One named check of a verification, with its outcome and why. */
export const CheckSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  status: CheckStatusSchema,
  detail: z.string(),
});
/**
 * A verification report (answer to POST /v1/verify, and what walwarden-verify prints as JSON): every check
 * that ran, then the verdict, and the first failed check's id if any.
 */
export const VerificationReportSchema = z.strictObject({
  checks: z.array(CheckSchema),
  verdict: z.enum(["verified", "not-verified"]),
  failed: z.string().min(1).optional(),
});
