// @walwarden/verifier: the format authority. Every signed or persisted format is defined here and
// specified byte for byte in SPEC.md; everything else imports it.
export * from "./result.js";
export * from "./bytes/index.js";
export { sha256, portableSha256, type Sha256, type Sha256Stream } from "./hash/sha256.js";
export * from "./jcs/canonicalize.js";
export { isWellFormed } from "./jcs/string.js";
export * from "./ed25519/ed25519.js";
export * from "./note/index.js";
export * from "./merkle/index.js";
export { dsseKeyId } from "./dsse/key-id.js";
export { pae } from "./dsse/pae.js";
export * from "./dsse/envelope.js";
export * from "./manifest/statement.js";
export * from "./manifest/predicate.js";
export * from "./manifest/build-manifest.js";
export * from "./manifest/verify-manifest.js";
export * from "./manifest/manifest-report.js";
export * from "./manifest/kit-layout.js";
export * from "./manifest/kit-report.js";
export {
  Id,
  Instant,
  Sha256Hex,
  FreeText,
  SingleLine,
  describeIssue,
  singleLine,
  wellFormed,
} from "./schema/common.js";
export * from "./log/event-data.js";
export * from "./log/entry.js";
export * from "./log/restore-state.js";
export * from "./jobs/job-state.js";
export * from "./drill/index.js";
export * from "./retention/index.js";
export * from "./posture/index.js";
export * from "./witness/index.js";
export * from "./bucket/index.js";
export * from "./alert/conditions.js";
export * from "./log/inclusion-proof.js";
export * from "./log/range-hasher.js";
export * from "./log/memory-log.js";
export * from "./bundle/layout.js";
export * from "./bundle/report.js";
export * from "./bundle/policy.js";
export * from "./bundle/bundle-limits.js";
export * from "./bundle/read-bundle.js";
export * from "./bundle/write-bundle.js";
export * from "./bundle/report-html.js";
export * from "./bundle/admin-changes.js";
export * from "./bundle/verify-bundle.js";
export { restoreHistories } from "./bundle/check-restores.js";
export { REDACTED, redactSecrets } from "./redact/redact.js";
export { clipText } from "./redact/clip.js";
