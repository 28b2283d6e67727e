import { Hono } from "hono";
import {
  BUNDLE_REFUSAL_CODES,
  type BundleLimits,
  manifestReport,
  policyFromVkeys,
  readBundle,
  verifyReadBundle,
} from "@walwarden/verifier";
import { VerificationReportSchema, VerifyManifestRequestSchema } from "@walwarden/verifier/wire";
import { intVar } from "../env.js";
import { cappedBody } from "../http/capped-body.js";
import { ApiError } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { reply } from "../http/reply.js";
import { jsonBody } from "../http/validate.js";
import { clientAddress, rateLimit } from "../ratelimit/client.js";
import { VERIFY_BUNDLE_LIMITS } from "./verify-limits.js";
import { publishedKeys } from "./well-known.js";

export { VERIFY_BUNDLE_LIMITS } from "./verify-limits.js";
const MiB = 1024 * 1024;

/** Largest evidence bundle the endpoint reads (bigger ones: run walwarden-verify locally). */
export const MAX_VERIFY_ZIP_BYTES = VERIFY_BUNDLE_LIMITS.maxZipBytes;

/**
 * POST /v1/verify: anyone may check a manifest envelope (JSON, optionally with the artifact's SHA-256) or
 * an evidence bundle (application/zip) against the keys this Worker publishes, and nothing else. The
 * answer is the verifier's report; a bundle the reader refuses as a zip bomb (VERIFY_BUNDLE_LIMITS,
 * sizes that lie, overlapping entries) is answered 413 before it is inflated. No auth; rate-limited per
 * client address.
 */
export const verifyRoutes = new Hono<AppEnv>().post("/", async (c) => {
  const client = clientAddress(c);
  const limited = await rateLimit(c.env, `verify:${client}`, intVar(c.env.VERIFY_RATE_LIMIT_PER_MINUTE, 30), 60_000);
  if (!limited.allowed) {
    c.header("retry-after", String(limited.retryAfterSeconds));
    throw new ApiError(
      429,
      "rate-limited",
      `too many verifications from your address; try again in ${limited.retryAfterSeconds} s`,
    );
  }
  const keys = publishedKeys(c.env);
  const policy = policyFromVkeys([...keys.checkpoint, ...keys.manifest]);
  if (!policy.ok) throw new Error(policy.message);
  const type = c.req.header("content-type") ?? "";
  if (/^application\/zip\b/i.test(type)) {
    const zip = await cappedBody(c.req.raw, MAX_VERIFY_ZIP_BYTES);
    if (!zip)
      throw new ApiError(
        413,
        "payload-too-large",
        `bundles over ${MAX_VERIFY_ZIP_BYTES} bytes: run walwarden-verify bundle locally`,
      );
    const read = readBundle(zip, VERIFY_BUNDLE_LIMITS);
    if (!read.ok && BUNDLE_REFUSAL_CODES.has(read.code))
      throw new ApiError(
        413,
        "payload-too-large",
        `${read.code}: ${read.message}; this endpoint reads bundles within ${describe(VERIFY_BUNDLE_LIMITS)}: run walwarden-verify bundle locally for larger ones`,
      );
    return reply(c, VerificationReportSchema, await verifyReadBundle(read, policy.value));
  }
  const body = await jsonBody(c, VerifyManifestRequestSchema);
  return reply(
    c,
    VerificationReportSchema,
    manifestReport(body.envelope, policy.value.manifestKeys, body.artifactSha256),
  );
});

function describe(l: BundleLimits): string {
  return `${l.maxTotalBytes / MiB} MiB inflated, ${l.maxFileBytes / MiB} MiB per file, ${l.maxFiles} files and a compression ratio of ${l.maxRatio}`;
}
