import { z } from "zod";
import { SIGNATURE_TYPE_COSIGNATURE_V1 } from "../note/key-id.js";
import { isValidKeyName } from "../note/key-name.js";
import { decodeVkey } from "../note/vkey.js";
import { Id, Instant, singleLine } from "../schema/common.js";

// External witnesses (SPEC §13): C2SP tlog-witness servers the Worker pushes the org's checkpoints to.

/** Most external witnesses an org configures (a checkpoint keeps at most 16 cosigners, runners included). */
export const MAX_WITNESSES = 8;

/** A witness's name: its cosigner key's name (a C2SP key name: no white space, no `+`), at most 200 characters. */
export const WitnessName = singleLine(z.string().min(1).max(200)).refine(
  isValidKeyName,
  "not a key name (no white space, no +)",
);

/** PUT /v1/witnesses/:name (admin): the witness's submission prefix and its cosigner vkey, whose name is :name. */
export const WitnessRequestSchema = z.strictObject({
  /** The submission prefix: the Worker POSTs to `<url>/add-checkpoint`. https to a public host; no query or fragment. */
  url: singleLine(z.string().min(1).max(2048)),
  /** The witness's cosigner vkey (signature type 0x04): `name+hex8(keyID)+base64(0x04 ‖ public key)`. */
  vkey: singleLine(z.string().min(1).max(512)).refine(
    // decodeVkey is what parseCosignerVkey checks, without the Ed25519 code a form's chunk need not carry.
    (v) => decodeVkey(v, SIGNATURE_TYPE_COSIGNATURE_V1).ok,
    "not a cosigner vkey (name+keyID+base64 of 0x04 and an Ed25519 public key)",
  ),
});
/** A witness as sent. */
export type WitnessRequest = z.input<typeof WitnessRequestSchema>;

const Size = z.number().int().nonnegative();
const Seconds = z.number().int().nonnegative();

/** A configured witness, its push state and its lag (GET /v1/witnesses, PUT /v1/witnesses/:name). */
export const WitnessSchema = z.strictObject({
  id: Id,
  name: z.string().min(1),
  url: z.string().min(1),
  vkey: z.string().min(1),
  /** The size of the newest checkpoint it cosigned that the Worker keeps (0: none yet). */
  cosignedSize: Size,
  /** The log's size now. */
  headSize: Size,
  /** When its newest cosignature was kept (null: none yet), and how many seconds ago. */
  cosignedAt: Instant.nullable(),
  cosignatureAgeSeconds: Seconds.nullable(),
  /**
   * When the oldest entry it has not cosigned was appended (so since when a checkpoint waits for it), and
   * how many seconds ago; null and 0 when it cosigned the head.
   */
  waitingSince: Instant.nullable(),
  lagSeconds: Seconds,
  /** The last push: when it was tried, when one last succeeded, and why the last one failed (null once one succeeds). */
  lastAttemptAt: Instant.nullable(),
  lastSuccessAt: Instant.nullable(),
  lastError: z.string().min(1).nullable(),
  /** Failed pushes in a row (each doubles the wait before the next: 1 minute, at most 60). */
  failures: z.number().int().nonnegative(),
  /** The earliest tick that will push to it again after a failure (null: the next one, if it is behind). */
  retryAfter: Instant.nullable(),
  createdAt: Instant,
  updatedAt: Instant,
});
/** A witness. */
export type Witness = z.infer<typeof WitnessSchema>;

/** Most runners GET /v1/witnesses reports as witnesses (the org's first by id; a checkpoint keeps at most 16 cosigners). */
export const MAX_RUNNER_WITNESSES = 100;

/**
 * A runner as its org's witness (SPEC §13: it cosigns in the pull model, without configuration), and its lag
 * computed as an external witness's: from the newest cosignature of its key name the Ledger keeps.
 */
export const RunnerWitnessSchema = z.strictObject({
  runnerId: Id,
  /** The runner's display name. */
  name: z.string().min(1),
  /** Its key name, `<deployment>/runner/<runnerId>` (SPEC §11). */
  keyName: z.string().min(1),
  /** Its cosigner vkey (type 0x04, SPEC §3): what `walwarden-verify … --witness` takes. */
  vkey: z.string().min(1),
  /** The size of the newest checkpoint it cosigned that the Ledger keeps (0: none yet), and when that was kept. */
  cosignedSize: Size,
  cosignedAt: Instant.nullable(),
  /** The log's size now. */
  headSize: Size,
  /** As a witness's: when the oldest entry it has not cosigned was appended, and its age; null and 0 at the head. */
  waitingSince: Instant.nullable(),
  lagSeconds: Seconds,
});
/** A runner as witness. */
export type RunnerWitness = z.infer<typeof RunnerWitnessSchema>;

/**
 * GET /v1/witnesses: every external witness of the org, by name (not paged: at most MAX_WITNESSES), and every
 * runner of the org that is not revoked and registered a key, by id (at most MAX_RUNNER_WITNESSES).
 */
export const WitnessListSchema = z.strictObject({
  items: z.array(WitnessSchema).max(MAX_WITNESSES),
  runners: z.array(RunnerWitnessSchema).max(MAX_RUNNER_WITNESSES),
});
/** The org's witnesses. */
export type WitnessList = z.infer<typeof WitnessListSchema>;
