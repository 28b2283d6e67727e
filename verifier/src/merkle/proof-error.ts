/** Why a Merkle proof does not verify. Each verifier returns the subset that applies to it. */
export type ProofErrorCode =
  /** A leaf index is negative, fractional, above 2^63 − 1, or a number above 2^53 − 1 (pass a bigint). */
  | "invalid-index"
  /** A tree size or subtree bound is invalid in the same ways. */
  | "invalid-size"
  /** The leaf index is not inside the tree or subtree. */
  | "index-out-of-range"
  /** Consistency from a larger tree to a smaller one, or a subtree that ends past the tree. */
  | "sizes-out-of-order"
  /** Consistency from the empty tree: RFC 9162 defines no such proof (every tree extends the empty one). */
  | "empty-tree"
  /** [start, end) is not a subtree: start must be a multiple of the smallest power of two ≥ end − start. */
  | "invalid-subtree"
  /** The leaf hash is not 32 bytes. */
  | "invalid-leaf-hash"
  /** A proof hash is not 32 bytes. */
  | "invalid-proof-hash"
  /** The proof has the wrong number of hashes for these sizes and indexes. */
  | "wrong-proof-size"
  /** Consistency: the proof does not reproduce the older tree's root. */
  | "old-root-mismatch"
  /** Consistency: the proof does not reproduce the newer tree's root (or, for equal sizes, the roots differ). */
  | "new-root-mismatch"
  /** Subtree consistency: the proof does not reproduce the subtree's root. */
  | "subtree-root-mismatch"
  /** The proof does not reproduce the expected root. */
  | "root-mismatch";
