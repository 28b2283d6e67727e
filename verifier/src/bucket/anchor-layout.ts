import { z } from "zod";
import { toBase64 } from "../bytes/base64.js";
import { canonicalize } from "../jcs/canonicalize.js";
import { HashBase64 } from "../log/inclusion-proof.js";
import { KIT_FILES, kitObjectKey, prefixProblem } from "../manifest/kit-layout.js";
import { err, ok, type Result } from "../result.js";
import { Id, Instant, singleLine } from "../schema/common.js";

/** The folder under the runner's prefix where it anchors the checkpoints it cosigns (SPEC §13). */
export const CHECKPOINTS_FOLDER = "checkpoints";
/** The newest anchored checkpoint of a runner, overwritten with each (SPEC §13). */
export const LATEST_ANCHOR = "latest.txt";
/** The suffix of an anchored checkpoint's proof file, after its size. */
export const ANCHOR_PROOF_SUFFIX = ".proof.json";
/** The suffix of an anchored checkpoint's note, after its size. */
export const ANCHOR_NOTE_SUFFIX = ".txt";
/** The kit file that records a refused kit checkpoint (SPEC §10 "Witnessed kits"). */
export const WITNESS_REFUSAL_SUFFIX = "witness-refused.json";

const MAX_SIZE = 2n ** 63n - 1n;
/** A tree size as decimal text without leading zeros, at most 2^63 − 1. */
export const TreeSizeDecimal = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,18})$/, "a tree size in decimal")
  .refine((s) => BigInt(s) <= MAX_SIZE, "a tree size is at most 2^63 − 1");

/** The keys of one anchored checkpoint: its proof, its note, and the runner's latest.txt. */
export interface AnchorKeys {
  proof: string;
  note: string;
  latest: string;
}

/**
 * The keys of the checkpoint of `size` anchored by runner `runnerId` under `prefix` (SPEC §13):
 * `<prefix>/checkpoints/<runnerId>/<size>.proof.json`, `….txt` and `…/latest.txt` (no leading slash when
 * the prefix is empty; its trailing slashes dropped). "unsafe-key" for a prefix kits could not have, a
 * runner id that is not an id, or a size that is not one.
 */
export function anchorObjectKeys(
  prefix: string,
  runnerId: string,
  size: bigint | string,
): Result<AnchorKeys, "unsafe-key"> {
  const p = prefix.replace(/\/+$/, "");
  const problem = prefixProblem(p);
  if (problem) return err("unsafe-key", problem);
  if (!Id.safeParse(runnerId).success || runnerId === "." || runnerId === "..")
    return err("unsafe-key", `runner id ${JSON.stringify(runnerId)} is not an id`);
  const decimal = size.toString();
  if (!TreeSizeDecimal.safeParse(decimal).success) return err("unsafe-key", `${decimal} is not a tree size`);
  const folder = [...(p ? [p] : []), CHECKPOINTS_FOLDER, runnerId].join("/");
  return ok({
    proof: `${folder}/${decimal}${ANCHOR_PROOF_SUFFIX}`,
    note: `${folder}/${decimal}${ANCHOR_NOTE_SUFFIX}`,
    latest: `${folder}/${LATEST_ANCHOR}`,
  });
}

/** What a path below the prefix is in a runner's anchor folder, if it is one of its files. */
export type AnchorPath =
  | { runnerId: string; kind: "note" | "proof"; size: string }
  | { runnerId: string; kind: "latest" }
  | { runnerId: string; kind: "other"; name: string };

/** Parses `checkpoints/<runnerId>/<file>` (a path below the prefix, `/`-separated); undefined for any other path. */
export function parseAnchorPath(path: string): AnchorPath | undefined {
  const parts = path.split("/");
  if (parts.length !== 3 || parts[0] !== CHECKPOINTS_FOLDER) return undefined;
  const [, runnerId, name] = parts as [string, string, string];
  if (!Id.safeParse(runnerId).success) return undefined;
  if (name === LATEST_ANCHOR) return { runnerId, kind: "latest" };
  for (const [suffix, kind] of [
    [ANCHOR_PROOF_SUFFIX, "proof"],
    [ANCHOR_NOTE_SUFFIX, "note"],
  ] as const) {
    const size = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
    if (size !== undefined && TreeSizeDecimal.safeParse(size).success) return { runnerId, kind, size };
  }
  return { runnerId, kind: "other", name };
}

/** An anchored checkpoint's proof file (SPEC §13): the consistency proof from the previous anchored size. */
export const AnchorProofSchema = z.strictObject({
  v: z.literal(1),
  from: TreeSizeDecimal,
  to: TreeSizeDecimal,
  hashes: z.array(HashBase64).max(64),
});
/** An anchored checkpoint's proof file. */
export type AnchorProof = z.infer<typeof AnchorProofSchema>;

/** The JCS text of an anchored checkpoint's proof file. */
export function encodeAnchorProof(from: bigint, to: bigint, hashes: readonly (Uint8Array | string)[]): string {
  const proof: AnchorProof = {
    v: 1,
    from: from.toString(),
    to: to.toString(),
    hashes: hashes.map((h) => (typeof h === "string" ? h : toBase64(h))),
  };
  return canonicalize(AnchorProofSchema.parse(proof));
}

/** The key of the refusal record next to an artifact: `…/bk_1.dump.zst` → `…/bk_1.witness-refused.json`. */
export function witnessRefusalKey(artifactKey: string): string {
  const manifest = kitObjectKey(artifactKey, "manifest");
  return `${manifest.slice(0, -KIT_FILES.manifest.length)}${WITNESS_REFUSAL_SUFFIX}`;
}

/** A refusal record (SPEC §10 "Witnessed kits"): the runner refused the kit's checkpoint as its org's witness. */
export const WitnessRefusalSchema = z.strictObject({
  v: z.literal(1),
  at: Instant,
  code: z.string().regex(/^[a-z][a-z-]{0,31}$/),
  message: singleLine(z.string().min(1).max(2000)),
  /** The runner's witness state (the size it had accepted). */
  acceptedSize: TreeSizeDecimal,
  /** The refused checkpoint's size. */
  size: TreeSizeDecimal,
  /** The consistency proof the runner was handed, base64 hashes. */
  proof: z.array(HashBase64).max(64),
});
/** A refusal record. */
export type WitnessRefusal = z.infer<typeof WitnessRefusalSchema>;

/** The JCS text of a refusal record. */
export function encodeWitnessRefusal(r: WitnessRefusal): string {
  return canonicalize(WitnessRefusalSchema.parse(r));
}
