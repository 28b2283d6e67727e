import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { type BucketPosture, BucketPostureSchema, clipText, redactSecrets } from "@walwarden/verifier";
import type { RunnerLogger } from "../log/logger.js";
import { s3Code, s3Status } from "../prune/s3-errors.js";
import { expectAnswerRoot, UnexpectedAnswerError } from "./answer-root.js";
import { encryptionOf, lifecycleOf, objectLockOf, publicAccessOf, versioningOf } from "./posture-parts.js";

/** The parts of a posture that are read, one S3 request each. */
export type PosturePart = Exclude<keyof BucketPosture, "bucket">;

/** Each part's S3 operation and the IAM permission it needs. */
export const POSTURE_READS: Record<PosturePart, { op: string; permission: string }> = {
  versioning: { op: "GetBucketVersioning", permission: "s3:GetBucketVersioning" },
  objectLock: { op: "GetObjectLockConfiguration", permission: "s3:GetBucketObjectLockConfiguration" },
  publicAccess: { op: "GetPublicAccessBlock", permission: "s3:GetBucketPublicAccessBlock" },
  encryption: { op: "GetBucketEncryption", permission: "s3:GetEncryptionConfiguration" },
  lifecycle: { op: "GetBucketLifecycleConfiguration", permission: "s3:GetLifecycleConfiguration" },
};

/** Why a part is unknown: the store lacks the API, the credentials may not read it, or the read failed. */
export interface UnknownPart {
  why: "unsupported" | "denied" | "failed";
  /** In words (redacted): the operation, S3's status and code, its message. */
  detail: string;
}

/** A posture as read, with why each unknown part is unknown. */
export interface PostureReading {
  posture: BucketPosture;
  unknown: Partial<Record<PosturePart, UnknownPart>>;
}

/** The longest a posture read may take (all five at once), so that a claim is not held up by a stalled store. */
export const POSTURE_READ_TIMEOUT_MS = 30_000;

/** How an error of a posture read makes the part unknown. */
function unknownPart(part: PosturePart, e: unknown, secrets: readonly string[]): UnknownPart {
  const { op, permission } = POSTURE_READS[part];
  const status = s3Status(e);
  const code = s3Code(e);
  const message = clipText(redactSecrets(String((e as Error | null)?.message ?? e), secrets), 300);
  const said = `${op}: ${status ? `${status} ` : ""}${code}: ${message}`;
  if (e instanceof UnexpectedAnswerError || status === 501 || code === "NotImplemented")
    return { why: "unsupported", detail: `the store does not implement ${op} (${said})` };
  if (code === "AccessDenied")
    return { why: "denied", detail: `the credentials may not read it (${permission}; ${said})` };
  return { why: "failed", detail: said };
}

/**
 * Reads the bucket's posture (SPEC §12), the five reads at once, each answer parsed with the SDK and its XML
 * root checked (a store that ignores the subresource answers something else; that is not an empty
 * configuration). An answer that says "not configured" is that part's value (no Object Lock configuration,
 * no public access block: open, no default encryption: none, no lifecycle configuration: no rule). 501
 * NotImplemented, an answer that is not the configuration, or AccessDenied makes the part `unknown`; any
 * other error too, with a warning line (redacted: no credential, signature or presigned URL). The result
 * parses with BucketPostureSchema. Never throws for an S3 error.
 */
export async function readBucketPosture(
  s3: S3Client,
  target: { bucket: string; prefix: string },
  o: { log?: RunnerLogger; secrets?: readonly string[]; signal?: AbortSignal } = {},
): Promise<PostureReading> {
  const { bucket, prefix } = target;
  const secrets = o.secrets ?? [];
  const timeout = AbortSignal.timeout(POSTURE_READ_TIMEOUT_MS);
  const options = { abortSignal: o.signal ? AbortSignal.any([o.signal, timeout]) : timeout };
  const Bucket = bucket;
  const unknown: PostureReading["unknown"] = {};

  /** One part: its value, the value S3's "not configured" error means (if any), or unknown. */
  async function part<T>(
    name: PosturePart,
    read: () => Promise<T>,
    notConfigured?: { code: string; value: T },
  ): Promise<T | "unknown"> {
    try {
      return await read();
    } catch (e) {
      if (notConfigured && s3Code(e) === notConfigured.code) return notConfigured.value;
      const u = unknownPart(name, e, secrets);
      unknown[name] = u;
      if (u.why === "failed")
        o.log?.warn(
          { event: "posture.read_failed", bucket, part: name, reason: u.detail },
          `could not read the bucket's ${name}: reported unknown`,
        );
      return "unknown";
    }
  }

  const [versioning, objectLock, publicAccess, encryption, lifecycle] = await Promise.all([
    part("versioning", async () =>
      versioningOf(
        await s3.send(expectAnswerRoot(new GetBucketVersioningCommand({ Bucket }), "VersioningConfiguration"), options),
      ),
    ),
    part(
      "objectLock",
      async () =>
        objectLockOf(
          await s3.send(
            expectAnswerRoot(new GetObjectLockConfigurationCommand({ Bucket }), "ObjectLockConfiguration"),
            options,
          ),
        ),
      {
        code: "ObjectLockConfigurationNotFoundError",
        value: { enabled: false, defaultMode: null, defaultDays: null },
      },
    ),
    part(
      "publicAccess",
      async () =>
        publicAccessOf(
          await s3.send(
            expectAnswerRoot(new GetPublicAccessBlockCommand({ Bucket }), "PublicAccessBlockConfiguration"),
            options,
          ),
        ),
      { code: "NoSuchPublicAccessBlockConfiguration", value: "open" as const },
    ),
    part(
      "encryption",
      async () =>
        encryptionOf(
          await s3.send(
            expectAnswerRoot(new GetBucketEncryptionCommand({ Bucket }), "ServerSideEncryptionConfiguration"),
            options,
          ),
        ),
      { code: "ServerSideEncryptionConfigurationNotFoundError", value: "none" },
    ),
    part(
      "lifecycle",
      async () =>
        lifecycleOf(
          await s3.send(
            expectAnswerRoot(new GetBucketLifecycleConfigurationCommand({ Bucket }), "LifecycleConfiguration"),
            options,
          ),
          prefix,
        ),
      { code: "NoSuchLifecycleConfiguration", value: [] },
    ),
  ]);
  const posture = BucketPostureSchema.parse({ bucket, versioning, objectLock, publicAccess, encryption, lifecycle });
  return { posture, unknown };
}
