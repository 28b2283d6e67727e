import { z } from "zod";
import { HashBase64 } from "../log/inclusion-proof.js";
import { EVENT_TYPES } from "../log/event-data.js";
import { singleLine } from "../schema/common.js";

// The org's audit log as the API serves it (GET /v1/log/…): entries, checkpoints and RFC 9162 proofs.

/** A position or size in the log, from a query string or path (a non-negative safe integer). */
export const LogSeq = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** GET /v1/log/entries?after=&limit=&type=&subject=: entries after a seq, optionally of one type or subject. */
export const LogEntriesQuerySchema = z.strictObject({
  after: LogSeq.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  type: z.enum(EVENT_TYPES as [string, ...string[]]).optional(),
  subject: singleLine(z.string().min(3).max(300)).optional(),
});

/** Answer to GET /v1/log/entries: the stored entry texts (exact JCS bytes), and where the next page starts. */
export const LogEntriesPageSchema = z.strictObject({
  entries: z.array(z.string().min(1)),
  nextAfter: z.number().int().nonnegative().nullable(),
});
/** A page of log entries. */
export type LogEntriesPage = z.infer<typeof LogEntriesPageSchema>;

/** Answer to GET /v1/log/checkpoint: the newest signed checkpoint (signed note text) and the size it signs. */
export const LogCheckpointSchema = z.strictObject({
  checkpoint: z.string().min(1),
  treeSize: z.number().int().nonnegative(),
});
/** The newest checkpoint. */
export type LogCheckpoint = z.infer<typeof LogCheckpointSchema>;

/** Answer to GET /v1/log/checkpoints/:size (text/plain): the checkpoint signed at that size, as signed. */
export const SignedCheckpointTextSchema = z.string().min(1).endsWith("\n");

/** GET /v1/log/proofs/inclusion?seq=&treeSize=: the proof of one entry, in the current tree by default. */
export const InclusionProofQuerySchema = z.strictObject({ seq: LogSeq, treeSize: LogSeq.optional() });

/** GET /v1/log/proofs/consistency?from=&to=: the proof that the tree of size `to` extends the one of size `from`. */
export const ConsistencyProofQuerySchema = z.strictObject({ from: LogSeq, to: LogSeq });
/** Answer to GET /v1/log/proofs/consistency: the RFC 9162 consistency proof, base64 hashes. */
export const ConsistencyProofSchema = z.strictObject({
  from: z.number().int().positive(),
  to: z.number().int().positive(),
  hashes: z.array(HashBase64).max(128),
});
/** A consistency proof. */
export type ConsistencyProof = z.infer<typeof ConsistencyProofSchema>;
