import { z } from "zod";

/** GET /.well-known/walwarden/keys: the published verifier keys (C2SP vkeys), newest first. */
export const PublishedKeysSchema = z.strictObject({
  origin: z.string().min(1),
  checkpoint: z.array(z.string().min(1)).min(1),
  manifest: z.array(z.string().min(1)).min(1),
});
/** The published keys document. */
export type PublishedKeys = z.infer<typeof PublishedKeysSchema>;
