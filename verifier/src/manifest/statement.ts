import { z } from "zod";
import { Sha256Hex } from "../schema/common.js";

/** in-toto Statement v1 `_type`. */
export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
/** DSSE payloadType of an in-toto statement. */
export const INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

/** A resource an in-toto statement is about, with its digests. */
export const ResourceDescriptorSchema = z.object({
  name: z.string().min(1),
  digest: z.object({ sha256: Sha256Hex }).catchall(z.string()),
});

/** An in-toto Statement v1 with an arbitrary predicate (checked separately by predicateType). */
export const StatementSchema = z.object({
  _type: z.literal(STATEMENT_TYPE),
  subject: z.array(ResourceDescriptorSchema).min(1),
  predicateType: z.string().min(1),
  predicate: z.record(z.string(), z.unknown()),
});
/** An in-toto Statement v1. */
export type Statement = z.infer<typeof StatementSchema>;
