import { z } from "zod";
import { DsseEnvelopeSchema } from "../dsse/envelope.js";
import { Sha256Hex } from "../schema/common.js";

/** POST /v1/verify with JSON: a manifest envelope, optionally with the artifact's SHA-256. (A bundle is sent as application/zip.) */
export const VerifyManifestRequestSchema = z.strictObject({
  envelope: DsseEnvelopeSchema,
  artifactSha256: Sha256Hex.optional(),
});
