// A local S3 (s3rver, patched and extended to S3's multipart semantics) and a fault proxy to put in front of it.
export {
  startFaultProxy,
  type FaultAction,
  type FaultProxy,
  type FaultRule,
  type ProxiedRequest,
} from "./fault-proxy.js";
export {
  ACCESS_DENIED,
  bucketPostureEmulation,
  type BucketPostureEmulation,
  encryptionXml,
  lifecycleXml,
  type LifecycleRuleXml,
  NOT_CONFIGURED,
  objectLockXml,
  type PostureAnswer,
  type PostureAnswers,
  type PostureOperation,
  postureOperation,
  publicAccessBlockXml,
  versioningXml,
} from "./bucket-posture-emulation.js";
export { S3RVER_CREDENTIALS, localS3Client, startS3, type LocalS3 } from "./local-s3.js";
export { s3Operation } from "./s3-operation.js";
