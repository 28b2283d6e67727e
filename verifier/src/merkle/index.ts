// RFC 9162 Merkle trees: hashing, roots, compact ranges, and inclusion, consistency and subtree proofs.
// Sizes and indexes are exact to 2^63 − 1 (BigInt inside the verifiers).
export { HASH_SIZE, EMPTY_ROOT, leafHash, nodeHash } from "./hash.js";
export { rootFromLeafHashes } from "./tree-root.js";
export { CompactRange, frontierOfLeafHashes, type CompactRangeErrorCode } from "./compact-range.js";
export {
  inclusionProof,
  consistencyProof,
  subtreeInclusionProof,
  subtreeConsistencyProof,
  inclusionProofFrom,
  consistencyProofFrom,
  type RangeRootOf,
} from "./build-proof.js";
export type { ProofErrorCode } from "./proof-error.js";
export { isValidSubtree } from "./subtree.js";
export { verifyInclusion, rootFromInclusionProof, type InclusionErrorCode } from "./verify-inclusion.js";
export { verifyConsistency, type ConsistencyErrorCode } from "./verify-consistency.js";
export { verifySubtreeInclusion, type SubtreeInclusionErrorCode } from "./verify-subtree-inclusion.js";
export { verifySubtreeConsistency, type SubtreeConsistencyErrorCode } from "./verify-subtree-consistency.js";
