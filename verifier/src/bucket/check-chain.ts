import { fromBase64 } from "../bytes/base64.js";
import { bytesEqual } from "../bytes/compare.js";
import type { Ed25519Verify } from "../ed25519/ed25519.js";
import type { Sha256 } from "../hash/sha256.js";
import { verifyConsistency } from "../merkle/verify-consistency.js";
import { type CosignerKey, type NoteVerifier, verifyCheckpoint, verifyCosignatures } from "../note/index.js";
import { AnchorProofSchema } from "./anchor-layout.js";

/** One runner's anchor folder as found in a copy of its prefix (SPEC §13). */
export interface AnchorFolder {
  runnerId: string;
  /** `<size>.txt` by size (decimal): the note's text, or undefined when it could not be read. */
  notes: Map<string, string | undefined>;
  /** `<size>.proof.json` by size: the parsed JSON (undefined: unreadable or not JSON). */
  proofs: Map<string, unknown>;
  /** `latest.txt`, when there is one (undefined text: unreadable). */
  latest?: { text: string | undefined };
  /** Other files in the folder (reported, not checked). */
  others: string[];
}

/** An anchored checkpoint that verified. */
export interface AnchoredCheckpoint {
  runnerId: string;
  size: bigint;
  rootHash: Uint8Array;
}

/** What checking one runner's chain found. */
export interface ChainResult {
  runnerId: string;
  /** The anchored checkpoints that verified, by size. */
  anchored: AnchoredCheckpoint[];
  /** What fails the chain. */
  problems: string[];
  /** What the report says without failing it (where the chain starts, an older latest.txt, other files). */
  notes: string[];
}

/** What the chain is checked against: the pinned keys and witnesses, and the one origin of the log. */
export interface ChainPolicy {
  checkpointKeys: readonly NoteVerifier[];
  origin: string;
  witnesses?: readonly CosignerKey[];
  witnessQuorum?: number;
  ed25519?: Ed25519Verify;
  sha256?: Sha256;
}

const bySize = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/**
 * Checks one runner's anchored checkpoints (SPEC §13, check `bucket.chain.<runnerId>`): each note is a
 * checkpoint of its file's size signed by a pinned key for the origin (and cosigned by the quorum when
 * witnesses are pinned); in order of size each proof is from the previous anchored size and proves the
 * checkpoint extends it; the first may start from 0, from its own size or from a size not anchored (not
 * checkable: said in `notes`); latest.txt is one of them.
 */
export function checkChain(folder: AnchorFolder, policy: ChainPolicy): ChainResult {
  const problems: string[] = [];
  const notes: string[] = [];
  const verified = new Map<string, AnchoredCheckpoint>();
  const sizes = [...folder.notes.keys()].sort(bySize);
  for (const size of sizes) {
    const text = folder.notes.get(size);
    if (text === undefined) {
      problems.push(`${size}.txt cannot be read`);
      continue;
    }
    const cp = verifyCheckpoint(text, policy.checkpointKeys, policy.origin, policy.ed25519);
    if (!cp.ok) {
      problems.push(`${size}.txt: ${cp.code}: ${cp.message}`);
      continue;
    }
    if (cp.value.size !== BigInt(size)) {
      problems.push(`${size}.txt is a checkpoint of size ${cp.value.size}`);
      continue;
    }
    const witnesses = policy.witnesses ?? [];
    if (witnesses.length > 0) {
      const cosigned = verifyCosignatures(text, witnesses, policy.witnessQuorum ?? 1);
      if (!cosigned.ok) problems.push(`${size}.txt: ${cosigned.code}: ${cosigned.message}`);
    }
    verified.set(size, { runnerId: folder.runnerId, size: cp.value.size, rootHash: cp.value.rootHash });
  }
  for (const size of folder.proofs.keys())
    if (!folder.notes.has(size)) notes.push(`${size}.proof.json has no ${size}.txt (not checked)`);

  sizes.forEach((size, i) => {
    if (!folder.proofs.has(size)) {
      problems.push(`${size}.txt has no ${size}.proof.json`);
      return;
    }
    const parsed = AnchorProofSchema.safeParse(folder.proofs.get(size));
    if (!parsed.success) {
      problems.push(`${size}.proof.json is not a proof file: ${parsed.error.issues[0]?.message ?? "invalid"}`);
      return;
    }
    const proof = parsed.data;
    if (proof.to !== size) {
      problems.push(`${size}.proof.json is a proof to size ${proof.to}`);
      return;
    }
    const from = BigInt(proof.from);
    const to = BigInt(size);
    if (i === 0) {
      if (from > to) problems.push(`${size}.proof.json is from size ${from}, beyond its own`);
      else if ((from === 0n || from === to) && proof.hashes.length > 0)
        problems.push(`${size}.proof.json is from size ${from} but carries hashes`);
      else if (from === 0n)
        notes.push(`starts at ${size}, the first checkpoint the runner accepted (trust on first use)`);
      else if (from === to)
        notes.push(
          `starts at ${size}, a checkpoint the runner had accepted before it anchored (what it extends is not anchored)`,
        );
      else
        notes.push(
          `starts at ${size}, proven from size ${from}, which is not anchored: that link cannot be checked offline`,
        );
      return;
    }
    const previous = sizes[i - 1]!;
    if (from === 0n) {
      problems.push(
        `${size}.proof.json is from size 0 after ${previous}: the runner's witness state was reset, and what it trusted from then on is not proven to extend what it had accepted`,
      );
      return;
    }
    if (proof.from !== previous) {
      problems.push(
        `${size}.proof.json is from size ${from}, but the previous anchored checkpoint is ${previous}: a gap (anchors deleted, or the runner's anchor queue lost)`,
      );
      return;
    }
    const a = verified.get(previous);
    const b = verified.get(size);
    if (!a || !b) {
      problems.push(`${previous} → ${size} not checked: ${a ? size : previous}.txt did not verify`);
      return;
    }
    const hashes = proof.hashes.map((h) => fromBase64(h)!);
    const consistent = verifyConsistency(a.size, b.size, a.rootHash, b.rootHash, hashes, policy.sha256);
    if (!consistent.ok)
      problems.push(
        `${size}.txt is not proven to extend ${previous}.txt (${consistent.code}: ${consistent.message}): a fork or a split view`,
      );
  });

  if (folder.latest) {
    const text = folder.latest.text;
    const cp =
      text === undefined ? undefined : verifyCheckpoint(text, policy.checkpointKeys, policy.origin, policy.ed25519);
    if (!cp) problems.push("latest.txt cannot be read");
    else if (!cp.ok) problems.push(`latest.txt: ${cp.code}: ${cp.message}`);
    else {
      const same = verified.get(cp.value.size.toString());
      if (!same || !bytesEqual(same.rootHash, cp.value.rootHash))
        problems.push(`latest.txt (size ${cp.value.size}) is not one of the anchored checkpoints`);
      else if (cp.value.size.toString() !== sizes.at(-1))
        notes.push(
          `latest.txt is ${cp.value.size}, older than the newest anchored (${sizes.at(-1)}): it is written last`,
        );
    }
  } else if (sizes.length > 0) notes.push("no latest.txt");
  if (folder.others.length) notes.push(`other files, not checked: ${folder.others.join(", ")}`);
  return {
    runnerId: folder.runnerId,
    anchored: sizes.flatMap((s) => verified.get(s) ?? []),
    problems,
    notes,
  };
}
