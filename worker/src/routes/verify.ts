import { Hono } from "hono";
import { manifestReport, policyFromVkeys, verifyBundle } from "@walwarden/verifier";
import { VerifyManifestRequestSchema } from "@walwarden/verifier/wire";
import { intVar } from "../env.js";
import { ApiError } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { jsonBody } from "../http/validate.js";
import { clientAddress, rateLimit } from "../ratelimit/client.js";
import { publishedKeys } from "./well-known.js";

/** Largest evidence bundle the endpoint verifies (bigger ones: run walwarden-verify locally). */
export const MAX_VERIFY_ZIP_BYTES = 32 * 1024 * 1024;

/**
 * POST /v1/verify: anyone may check a manifest envelope (JSON, optionally with the artifact's SHA-256) or
 * an evidence bundle (application/zip) against the keys this Worker publishes, and nothing else. The
 * answer is the verifier's report. No auth; rate-limited per client address.
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
    if (Number(c.req.header("content-length") ?? "0") > MAX_VERIFY_ZIP_BYTES)
      throw new ApiError(
        413,
        "payload-too-large",
        `bundles over ${MAX_VERIFY_ZIP_BYTES} bytes: run walwarden-verify bundle locally`,
      );
    const zip = new Uint8Array(await c.req.arrayBuffer());
    if (zip.length > MAX_VERIFY_ZIP_BYTES)
      throw new ApiError(
        413,
        "payload-too-large",
        `bundles over ${MAX_VERIFY_ZIP_BYTES} bytes: run walwarden-verify bundle locally`,
      );
    return c.json(await verifyBundle(zip, policy.value));
  }
  const body = await jsonBody(c, VerifyManifestRequestSchema);
  return c.json(manifestReport(body.envelope, policy.value.manifestKeys, body.artifactSha256));
});
