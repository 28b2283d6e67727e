import { z } from "zod";
import { Id, Instant, Sha256Hex, ZonedInstant } from "../schema/common.js";
import { pageOf } from "./page.js";

/** Longest period one evidence bundle may cover: a year, leap day included (audit periods are a year or less). */
export const MAX_EVIDENCE_PERIOD_DAYS = 366;

/**
 * POST /v1/evidence: export the evidence bundle of the caller's org for the log entries timestamped in
 * [from, to). `from` must be before `to`, and the period at most MAX_EVIDENCE_PERIOD_DAYS long.
 */
export const EvidenceExportRequestSchema = z
  .strictObject({ from: ZonedInstant, to: ZonedInstant })
  .refine((p) => p.from < p.to, { message: "from must be before to", path: ["to"] })
  .refine((p) => Date.parse(p.to) - Date.parse(p.from) <= MAX_EVIDENCE_PERIOD_DAYS * 86_400_000, {
    message: `a bundle covers at most ${MAX_EVIDENCE_PERIOD_DAYS} days: export longer periods in parts`,
    path: ["to"],
  });
/** An export request, normalised. */
export type EvidenceExportRequest = z.infer<typeof EvidenceExportRequestSchema>;

/** One past export, from its `evidence.exported` log entry (GET /v1/evidence). */
export const EvidenceExportSchema = z.strictObject({
  exportId: Id,
  seq: z.number().int().nonnegative(),
  at: Instant,
  actor: z.string().min(1),
  from: Instant,
  to: Instant,
  startSeq: z.number().int().nonnegative(),
  endSeq: z.number().int().nonnegative(),
  indexSha256: Sha256Hex,
});
/** A past export. */
export type EvidenceExport = z.infer<typeof EvidenceExportSchema>;

/** GET /v1/evidence: past exports, newest first. */
export const EvidenceExportListSchema = pageOf(EvidenceExportSchema);
/** A page of past exports. */
export type EvidenceExportList = z.infer<typeof EvidenceExportListSchema>;
