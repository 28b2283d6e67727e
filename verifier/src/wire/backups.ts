import { z } from "zod";
import { DsseEnvelopeSchema } from "../dsse/envelope.js";
import { InclusionProofSchema } from "../log/inclusion-proof.js";
import { Id, Instant, Sha256Hex } from "../schema/common.js";
import { PageQuerySchema, pageOf } from "./page.js";

/** A completed backup (GET /v1/backups): where the artifact is, its digest, and its backup.completed entry's seq. */
export const BackupSchema = z.strictObject({
  id: Id,
  databaseId: Id,
  jobId: Id,
  runnerId: Id,
  artifactUri: z.string().min(1),
  sha256: Sha256Hex,
  sizeBytes: z.number().int().nonnegative(),
  manifestSha256: Sha256Hex,
  logSeq: z.number().int().nonnegative(),
  startedAt: Instant,
  completedAt: Instant,
  durationMs: z.number().int().nonnegative(),
  /**
   * When retention deleted its objects (SPEC §12, `backup.expired`), or null: the backup stays listed with
   * its manifest for good, but its bytes are gone and it cannot be restored or drilled.
   */
  expiredAt: Instant.nullable(),
});
/** A backup. */
export type Backup = z.infer<typeof BackupSchema>;
/** GET /v1/backups. */
export const BackupPageSchema = pageOf(BackupSchema);
/** A page of backups. */
export type BackupPage = z.infer<typeof BackupPageSchema>;
/** GET /v1/backups?databaseId=: a page, optionally of one database's backups. */
export const ListBackupsQuerySchema = PageQuerySchema.extend({ databaseId: Id.optional() });

/** GET /v1/backups/:id: the backup with its signed manifest, a fresh inclusion proof and the checkpoint it is for. */
export const BackupDetailSchema = BackupSchema.extend({
  envelope: DsseEnvelopeSchema,
  proof: InclusionProofSchema,
  /** A signed checkpoint (signed note) of the org's log, of the tree `proof` is for. */
  checkpoint: z.string().min(1),
});
/** A backup's detail. */
export type BackupDetail = z.infer<typeof BackupDetailSchema>;
