import { z } from "zod";

/** Base64 of a 32-byte hash (44 characters, padded). */
export const HashBase64 = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "expected base64 of 32 bytes");

/**
 * An RFC 9162 inclusion proof of one log entry, as returned by the Worker and stored next to a dump
 * (`<backupId>.proof.json`). It proves the entry at `leafIndex` is in the tree of `treeSize` whose root
 * the accompanying signed checkpoint commits to.
 */
export const InclusionProofSchema = z.strictObject({
  v: z.literal(1),
  leafIndex: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  treeSize: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  hashes: z.array(HashBase64).max(64),
});
/** An inclusion proof file. */
export type InclusionProof = z.infer<typeof InclusionProofSchema>;
