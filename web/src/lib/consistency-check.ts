// The in-browser consistency check between two checkpoints of the org's log: both signed notes verify with
// a pinned checkpoint key for this org's log, and the RFC 9162 consistency proof shows the smaller tree is
// a prefix of the larger (nothing was rewritten or dropped between them). Pure: the caller fetches.
import {
  fromBase64,
  policyFromVkeys,
  verifyCheckpoint,
  verifyConsistency,
  type Check,
  type Report,
} from "@walwarden/verifier";
import { pinnedVkeys, type PinnedKeys } from "./pinned-keys.js";

/** What the check needs, as the API serves it. */
export interface ConsistencyInput {
  fromSize: number;
  toSize: number;
  fromNote: string;
  toNote: string;
  /** The proof's hashes, base64. */
  proof: string[];
}

/** Verifies two checkpoints and the consistency proof between them, as a report of named checks. */
export function checkConsistency(input: ConsistencyInput, pinned: PinnedKeys, orgId: string): Report {
  const checks: Check[] = [];
  const done = (): Report => {
    const failed = checks.find((c) => c.status === "fail");
    const verdict = !failed && checks.some((c) => c.status === "pass") ? "verified" : "not-verified";
    return failed ? { checks, verdict, failed: failed.id } : { checks, verdict };
  };
  const policy = policyFromVkeys(pinnedVkeys(pinned));
  if (!policy.ok) {
    checks.push({ id: "keys", name: "Pinned keys are usable", status: "fail", detail: policy.message });
    return done();
  }
  const origin = `${pinned.origin}/${orgId}`;
  const notes = [
    { id: "checkpoint.from", size: input.fromSize, note: input.fromNote },
    { id: "checkpoint.to", size: input.toSize, note: input.toNote },
  ];
  const roots: Uint8Array[] = [];
  for (const n of notes) {
    const name = `Checkpoint at size ${n.size} is signed by a pinned key for this org's log`;
    const v = verifyCheckpoint(n.note, policy.value.checkpointKeys, origin);
    if (!v.ok) {
      checks.push({ id: n.id, name, status: "fail", detail: `${v.code}: ${v.message}` });
      return done();
    }
    if (v.value.size !== BigInt(n.size)) {
      checks.push({
        id: n.id,
        name,
        status: "fail",
        detail: `asked for size ${n.size}, the note is for size ${v.value.size}`,
      });
      return done();
    }
    checks.push({
      id: n.id,
      name,
      status: "pass",
      detail: `origin ${v.value.origin}, size ${v.value.size}, signed by ${v.value.verifiedBy.map((k) => k.name).join(", ")}`,
    });
    roots.push(v.value.rootHash);
  }
  const name = `The log at size ${input.fromSize} is a prefix of the log at size ${input.toSize}`;
  const hashes = input.proof.map((h) => fromBase64(h));
  if (hashes.some((h) => h === undefined)) {
    checks.push({ id: "consistency", name, status: "fail", detail: "a proof hash is not canonical base64" });
    return done();
  }
  const c = verifyConsistency(input.fromSize, input.toSize, roots[0]!, roots[1]!, hashes as Uint8Array[]);
  checks.push(
    c.ok
      ? { id: "consistency", name, status: "pass", detail: `RFC 9162 proof of ${hashes.length} hashes verifies` }
      : { id: "consistency", name, status: "fail", detail: `${c.code}: ${c.message}` },
  );
  return done();
}
