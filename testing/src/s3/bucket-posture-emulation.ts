// The bucket-configuration reads a runner makes of its bucket's posture (SPEC §12), which s3rver lacks:
// GetBucketVersioning, GetObjectLockConfiguration, GetPublicAccessBlock, GetBucketEncryption and
// GetBucketLifecycleConfiguration. s3rver answers four of them 501 NotImplemented and the first a bucket
// listing (its router does not know the `versioning` subresource), so the posture tests answer them in the
// fault proxy with the XML S3 answers, as a fault rule. Only these GET APIs are emulated: nothing here
// changes what s3rver stores or how it answers anything else.
import type { FaultAction, FaultRule } from "./fault-types.js";

/** The emulated operations by their bucket subresource (`GET /<bucket>?<subresource>`). */
const SUBRESOURCES = {
  versioning: "GetBucketVersioning",
  "object-lock": "GetObjectLockConfiguration",
  publicAccessBlock: "GetPublicAccessBlock",
  encryption: "GetBucketEncryption",
  lifecycle: "GetBucketLifecycleConfiguration",
} as const;

/** A bucket-posture read operation's name. */
export type PostureOperation = (typeof SUBRESOURCES)[keyof typeof SUBRESOURCES];

/** The posture read a path-style request is (a GET of the bucket with one of the subresources), if it is one. */
export function postureOperation(method: string, path: string, query: URLSearchParams): PostureOperation | undefined {
  if (method !== "GET" || path.split("/").filter(Boolean).length !== 1) return undefined;
  for (const [sub, op] of Object.entries(SUBRESOURCES)) if (query.has(sub)) return op;
  return undefined;
}

/** How one posture read is answered: an XML body (200), or an S3 error. */
export type PostureAnswer = string | { status: number; code: string; message?: string };

/** The answers, by operation; an operation without one goes on to s3rver (which cannot answer it). */
export type PostureAnswers = Partial<Record<PostureOperation, PostureAnswer>>;

/** The posture emulation of one bucket: its fault rule and the answers it gives (tests change them). */
export interface BucketPostureEmulation {
  rule: FaultRule;
  answers: PostureAnswers;
  /** Replaces every answer. */
  set(answers: PostureAnswers): void;
}

/** Answers the posture reads of `bucket` with `answers` (use it as, or in, a fault proxy's rules). */
export function bucketPostureEmulation(bucket: string, answers: PostureAnswers = {}): BucketPostureEmulation {
  const e: BucketPostureEmulation = {
    answers,
    set: (a) => void (e.answers = a),
    rule: (_req, info): FaultAction | undefined => {
      const op = info.op as PostureOperation;
      if (info.path.split("/").filter(Boolean)[0] !== bucket || !Object.values(SUBRESOURCES).includes(op))
        return undefined;
      const a = e.answers[op];
      if (a === undefined) return undefined;
      if (typeof a !== "string") return { status: a.status, code: a.code, message: a.message ?? a.code };
      return { action: "reply", status: 200, headers: { "content-type": "application/xml" }, body: a };
    },
  };
  return e;
}

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

/** GetBucketVersioning's answer: no Status for a bucket whose versioning was never enabled, as S3 answers. */
export function versioningXml(status?: "Enabled" | "Suspended"): string {
  return status
    ? `${HEAD}<VersioningConfiguration ${NS}><Status>${status}</Status></VersioningConfiguration>`
    : `${HEAD}<VersioningConfiguration ${NS}/>`;
}

/** GetObjectLockConfiguration's answer for a bucket with Object Lock, with a default retention in days or years if given. */
export function objectLockXml(o: { mode?: "GOVERNANCE" | "COMPLIANCE"; days?: number; years?: number } = {}): string {
  const period =
    o.days !== undefined ? `<Days>${o.days}</Days>` : o.years !== undefined ? `<Years>${o.years}</Years>` : "";
  const rule = o.mode ? `<Rule><DefaultRetention><Mode>${o.mode}</Mode>${period}</DefaultRetention></Rule>` : "";
  return `${HEAD}<ObjectLockConfiguration ${NS}><ObjectLockEnabled>Enabled</ObjectLockEnabled>${rule}</ObjectLockConfiguration>`;
}

/** GetPublicAccessBlock's answer; each of the four settings is true unless given. */
export function publicAccessBlockXml(
  o: {
    BlockPublicAcls?: boolean;
    IgnorePublicAcls?: boolean;
    BlockPublicPolicy?: boolean;
    RestrictPublicBuckets?: boolean;
  } = {},
): string {
  const flags = (["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] as const)
    .map((k) => `<${k}>${o[k] ?? true}</${k}>`)
    .join("");
  return `${HEAD}<PublicAccessBlockConfiguration ${NS}>${flags}</PublicAccessBlockConfiguration>`;
}

/** GetBucketEncryption's answer: the default algorithm (with a KMS key for aws:kms), bucket key on. */
export function encryptionXml(algorithm: string, kmsKeyId?: string): string {
  const key = kmsKeyId ? `<KMSMasterKeyID>${kmsKeyId}</KMSMasterKeyID>` : "";
  return `${HEAD}<ServerSideEncryptionConfiguration ${NS}><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${algorithm}</SSEAlgorithm>${key}</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`;
}

/** One lifecycle rule as a test writes it. */
export interface LifecycleRuleXml {
  id?: string;
  status?: "Enabled" | "Disabled";
  /** `<Filter><Prefix>…</Prefix></Filter>`; undefined: an empty `<Filter/>` (every object), unless `legacyPrefix`. */
  prefix?: string;
  /** The rule-level `<Prefix>` of the older form, without a Filter. */
  legacyPrefix?: string;
  /** A tag condition, with `prefix` in an `<And>` if both. */
  tag?: { key: string; value: string };
  expirationDays?: number;
  expirationDate?: string;
  noncurrentDays?: number;
  abortMultipartDays?: number;
  transitionDays?: number;
}

function ruleXml(r: LifecycleRuleXml): string {
  const tag = r.tag ? `<Tag><Key>${r.tag.key}</Key><Value>${r.tag.value}</Value></Tag>` : "";
  const filter =
    r.legacyPrefix !== undefined
      ? `<Prefix>${r.legacyPrefix}</Prefix>`
      : r.tag && r.prefix !== undefined
        ? `<Filter><And><Prefix>${r.prefix}</Prefix>${tag}</And></Filter>`
        : r.tag
          ? `<Filter>${tag}</Filter>`
          : r.prefix !== undefined
            ? `<Filter><Prefix>${r.prefix}</Prefix></Filter>`
            : "<Filter/>";
  const parts = [
    r.id !== undefined ? `<ID>${r.id}</ID>` : "",
    filter,
    `<Status>${r.status ?? "Enabled"}</Status>`,
    r.transitionDays !== undefined
      ? `<Transition><Days>${r.transitionDays}</Days><StorageClass>GLACIER</StorageClass></Transition>`
      : "",
    r.expirationDays !== undefined ? `<Expiration><Days>${r.expirationDays}</Days></Expiration>` : "",
    r.expirationDate !== undefined ? `<Expiration><Date>${r.expirationDate}</Date></Expiration>` : "",
    r.noncurrentDays !== undefined
      ? `<NoncurrentVersionExpiration><NoncurrentDays>${r.noncurrentDays}</NoncurrentDays></NoncurrentVersionExpiration>`
      : "",
    r.abortMultipartDays !== undefined
      ? `<AbortIncompleteMultipartUpload><DaysAfterInitiation>${r.abortMultipartDays}</DaysAfterInitiation></AbortIncompleteMultipartUpload>`
      : "",
  ];
  return `<Rule>${parts.join("")}</Rule>`;
}

/** GetBucketLifecycleConfiguration's answer. */
export function lifecycleXml(rules: LifecycleRuleXml[]): string {
  return `${HEAD}<LifecycleConfiguration ${NS}>${rules.map(ruleXml).join("")}</LifecycleConfiguration>`;
}

/** What S3 answers when the bucket has no such configuration (versioning has none: it answers an empty one). */
export const NOT_CONFIGURED = {
  GetObjectLockConfiguration: {
    status: 404,
    code: "ObjectLockConfigurationNotFoundError",
    message: "Object Lock configuration does not exist for this bucket",
  },
  GetPublicAccessBlock: {
    status: 404,
    code: "NoSuchPublicAccessBlockConfiguration",
    message: "The public access block configuration was not found",
  },
  GetBucketEncryption: {
    status: 404,
    code: "ServerSideEncryptionConfigurationNotFoundError",
    message: "The server side encryption configuration was not found",
  },
  GetBucketLifecycleConfiguration: {
    status: 404,
    code: "NoSuchLifecycleConfiguration",
    message: "The lifecycle configuration does not exist",
  },
} as const satisfies Partial<Record<PostureOperation, PostureAnswer>>;

/** S3's 403 to a read the credentials may not make. */
export const ACCESS_DENIED = { status: 403, code: "AccessDenied", message: "Access Denied" } as const;
