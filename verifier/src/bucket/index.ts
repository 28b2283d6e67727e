// The walk-away audit of a runner's prefix (SPEC §13): the layout of anchored checkpoints and refusal
// records, the chain check, and the audit of a local copy of the prefix.
export * from "./anchor-layout.js";
export {
  type AnchorFolder,
  type AnchoredCheckpoint,
  type ChainPolicy,
  type ChainResult,
  checkChain,
} from "./check-chain.js";
export { auditBucket, type BucketCopy, type BucketReport, type ChainAudit, type KitAudit } from "./audit-bucket.js";
