// Witnessed kits, on the Worker's side (verifier/SPEC.md §10 "Witnessed kits", §13), in real workerd: a
// complete that sends the runner's accepted size is answered with the consistency proof from it to the kit's
// checkpoint, so the runner can witness that checkpoint before it writes the kit; the size is not part of the
// completion (a retry with another size is the same completion, answered the same manifest and entry); and
// the kit checkpoint's cosignature is kept and served like a claim's.
import {
  canonicalBytes,
  cosignCheckpoint,
  fromBase64,
  parseCheckpointNote,
  parseSignedNote,
  type WitnessState,
  witnessStep,
} from "@walwarden/verifier";
import { CompleteResponseSchema } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import { call, makeOrg, type Org } from "./support/client.js";
import { DEPLOYMENT, withRunnerKey } from "./support/drill-calls.js";
import { expectIncluded, publishedPolicy } from "./support/log-checks.js";
import { completeBody, leasedJob, onJob } from "./support/runner-calls.js";

const NOW_S = 1_765_000_000;

/** The origin of the org's log and its checkpoint keys as the Worker publishes them. */
async function logKeys(org: Org) {
  return { keys: (await publishedPolicy()).checkpointKeys, origin: `${DEPLOYMENT}/log/${org.orgId}` };
}

/** The state of a witness that accepted the log's newest checkpoint (as the API serves it). */
async function acceptedNow(org: Org): Promise<WitnessState> {
  const head = await call("GET", "/v1/log/checkpoint", { token: org.viewerToken });
  const { keys, origin } = await logKeys(org);
  const step = witnessStep(null, String(head.body.checkpoint), keys, origin, []);
  if (!step.ok) throw new Error(step.message);
  return step.value.next;
}

/** complete with `witness: {size}` (or without), parsed as the runner parses it. */
async function complete(org: Org, jobId: string, leaseId: string, witness?: string) {
  const body = {
    ...completeBody(leaseId, org.runnerId),
    ...(witness === undefined ? {} : { witness: { size: witness } }),
  };
  const r = await onJob(org.runnerToken, jobId, "complete", body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return CompleteResponseSchema.parse(r.body);
}

/** The witness step a runner in `state` runs on a complete's answer. */
async function witnessAnswer(
  org: Org,
  state: WitnessState | null,
  answer: { checkpoint: string; witnessProof?: string[] },
) {
  const { keys, origin } = await logKeys(org);
  return witnessStep(
    state,
    answer.checkpoint,
    keys,
    origin,
    (answer.witnessProof ?? []).map((h) => fromBase64(h)!),
  );
}

describe("complete for a witnessing runner", () => {
  it("answers the proof from the runner's accepted size to the kit's checkpoint, which the witness step accepts", async () => {
    const org = await makeOrg();
    const job = await leasedJob(org);
    const accepted = await acceptedNow(org);
    expect(accepted.size).toBeGreaterThan(0n);
    const answer = await complete(org, job.jobId, job.leaseId, accepted.size.toString());
    // The kit itself is as before: its entry is proven in the answer's checkpoint.
    expectIncluded(answer.entry, answer.proof, answer.checkpoint, await publishedPolicy(), org.orgId);
    expect(answer.witnessProof!.length).toBeGreaterThan(0);
    const step = await witnessAnswer(org, accepted, answer);
    expect(step.ok && step.value.next.size).toBe(BigInt(answer.proof.treeSize));
    // Another history's state at that size (another root) is refused: the proof binds the accepted root.
    const other = { ...accepted, rootHash: new Uint8Array(32).fill(7) };
    expect(await witnessAnswer(org, other, answer)).toMatchObject({ ok: false, code: "inconsistent" });
  });

  it("from size 0 the proof is empty (trust on first use); without witness there is none", async () => {
    const org = await makeOrg();
    const a = await leasedJob(org);
    const first = await complete(org, a.jobId, a.leaseId, "0");
    expect(first.witnessProof).toEqual([]);
    expect((await witnessAnswer(org, null, first)).ok).toBe(true);
    const b = await leasedJob(org);
    const plain = await complete(org, b.jobId, b.leaseId);
    expect(plain).not.toHaveProperty("witnessProof");
  });

  it("the size is not part of the completion: a retry with another size is answered the same manifest and entry", async () => {
    const org = await makeOrg();
    const job = await leasedJob(org);
    // The first complete went without witness (a runner that had not registered yet), the retries with sizes.
    const one = await complete(org, job.jobId, job.leaseId);
    const accepted = await acceptedNow(org);
    const two = await complete(org, job.jobId, job.leaseId, accepted.size.toString());
    const three = await complete(org, job.jobId, job.leaseId, "1");
    for (const again of [two, three]) {
      expect(canonicalBytes(again.envelope)).toEqual(canonicalBytes(one.envelope));
      expect(again.entry).toBe(one.entry);
    }
    expect((await witnessAnswer(org, accepted, two)).ok).toBe(true);
    // A proof from size 1 is one too: the root of size 1 is the log's first leaf's hash, which a witness at 1 holds.
    expect(three.witnessProof!.length).toBeGreaterThan(0);
  });

  it("a size larger than the kit's checkpoint gets no proof, and the witness refuses it as a rollback", async () => {
    const org = await makeOrg();
    const job = await leasedJob(org);
    const answer = await complete(org, job.jobId, job.leaseId, "999999");
    expect(answer.witnessProof).toEqual([]);
    const ahead = { origin: `${DEPLOYMENT}/log/${org.orgId}`, size: 999_999n, rootHash: new Uint8Array(32) };
    expect(await witnessAnswer(org, ahead, answer)).toMatchObject({ ok: false, code: "rollback" });
  });

  it("keeps the runner's cosignature of the kit's checkpoint and serves it with that checkpoint", async () => {
    const org = await makeOrg();
    const signer = await withRunnerKey(org);
    const job = await leasedJob(org);
    const accepted = await acceptedNow(org);
    const answer = await complete(org, job.jobId, job.leaseId, accepted.size.toString());
    const step = await witnessAnswer(org, accepted, answer);
    if (!step.ok) throw new Error(step.message);
    const body = parseSignedNote(answer.checkpoint);
    if (!body.ok) throw new Error(body.message);
    const line = cosignCheckpoint(body.value.text, signer, NOW_S);
    if (!line.ok) throw new Error(line.message);
    const size = step.value.next.size.toString();
    const sent = await call("POST", "/v1/runner/witness", {
      token: org.runnerToken,
      json: { size, cosignature: line.value },
    });
    expect(sent.body).toEqual({ accepted: true });
    const at = await call("GET", `/v1/log/checkpoints/${size}`, { token: org.viewerToken });
    expect(String(at.body)).toBe(answer.checkpoint + line.value);
    // The same complete again (a retry after the kit was written): the same checkpoint, as the append signed
    // it (the runner puts its own line after it), and nothing to prove from its own size.
    const again = await complete(org, job.jobId, job.leaseId, size);
    expect(parseCheckpointNote(again.checkpoint)).toMatchObject({ ok: true, value: { size: BigInt(size) } });
    expect(again.checkpoint).toBe(answer.checkpoint);
    expect(again.witnessProof).toEqual([]);
  });
});
