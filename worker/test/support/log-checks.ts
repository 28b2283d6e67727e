import { expect } from "vitest";
import {
  fromBase64,
  leafHash,
  policyFromVkeys,
  utf8,
  verifyCheckpoint,
  verifyInclusion,
  type InclusionProof,
  type VerifyPolicy,
} from "@walwarden/verifier";
import { call } from "./client.js";

/** The verify policy built from what the Worker publishes at /.well-known/walwarden/keys. */
export async function publishedPolicy(): Promise<VerifyPolicy> {
  const keys = (await call("GET", "/.well-known/walwarden/keys")).body;
  const policy = policyFromVkeys([...keys.checkpoint, ...keys.manifest]);
  if (!policy.ok) throw new Error(policy.message);
  return policy.value;
}

/** Asserts a checkpoint verifies for the org's log and that an entry's proof leads to its root. */
export function expectIncluded(
  entry: string,
  proof: InclusionProof,
  checkpoint: string,
  policy: VerifyPolicy,
  orgId: string,
): void {
  const cp = verifyCheckpoint(checkpoint, policy.checkpointKeys, `test.walwarden.dev/log/${orgId}`);
  expect(cp.ok, cp.ok ? "" : cp.message).toBe(true);
  if (!cp.ok) return;
  expect(BigInt(proof.treeSize)).toBe(cp.value.size);
  const included = verifyInclusion(
    proof.leafIndex,
    proof.treeSize,
    leafHash(utf8(entry)),
    cp.value.rootHash,
    proof.hashes.map((h) => fromBase64(h)!),
  );
  expect(included.ok, included.ok ? "" : included.message).toBe(true);
}

/** Every stored entry text of an org's log, through the API (D1's copy). */
export async function logEntries(token: string): Promise<string[]> {
  const out: string[] = [];
  let after: number | null = -1;
  while (after !== null) {
    const page = await call("GET", `/v1/log/entries?limit=1000${after >= 0 ? `&after=${after}` : ""}`, { token });
    out.push(...(page.body.entries as string[]));
    after = page.body.nextAfter;
  }
  return out;
}
