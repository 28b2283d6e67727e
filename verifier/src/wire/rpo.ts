import { z } from "zod";
import { Id, Instant, Sha256Hex } from "../schema/common.js";
import { ProviderSchema } from "./resources.js";

/** A database's recovery point against its target (worker/src/rpo/rpo-status.ts says when each holds). */
export const RpoStatusSchema = z.enum(["ok", "at-risk", "breached", "no-target"]);
/** An RPO status. */
export type RpoStatus = z.infer<typeof RpoStatusSchema>;

/** One database's RPO line (GET /v1/rpo/:databaseId, and each line of GET /v1/rpo). */
export const DatabaseRpoSchema = z.strictObject({
  databaseId: Id,
  name: z.string().min(1),
  provider: ProviderSchema,
  /** The tightest target of the database's enabled schedules; null when none sets one. */
  targetRpoMinutes: z.number().int().positive().nullable(),
  lastBackup: z
    .strictObject({
      id: Id,
      completedAt: Instant,
      sizeBytes: z.number().int().nonnegative(),
      sha256: Sha256Hex,
      manifestSha256: Sha256Hex,
    })
    .nullable(),
  ageSeconds: z.number().int().nonnegative().nullable(),
  status: RpoStatusSchema,
});
/** A database's RPO line. */
export type DatabaseRpo = z.infer<typeof DatabaseRpoSchema>;

/** GET /v1/rpo: the org at a glance, at one instant. */
export const RpoSummarySchema = z.strictObject({
  at: Instant,
  /** How many databases are in each status (every status, zero included). */
  counts: z.record(RpoStatusSchema, z.number().int().nonnegative()),
  databases: z.array(DatabaseRpoSchema),
});
/** The org's RPO summary. */
export type RpoSummary = z.infer<typeof RpoSummarySchema>;
