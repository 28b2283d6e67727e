// The org's runners as witnesses in GET /v1/witnesses (verifier/SPEC.md §13), in real workerd: each runner
// not revoked that registered a key, with its cosigner vkey (what `walwarden-verify --witness` takes) and its
// lag computed as an external witness's, from the cosignatures the Ledger keeps under its key name: the size
// it cosigned and 0 lag at the head, the head and the lag moving on after appends; a runner without a key and
// a revoked one are absent; a viewer reads it.
import { describe, expect, it } from "vitest";
import {
  cosignCheckpoint,
  decodeEntry,
  type NamedSigner,
  parseCosignerVkey,
  parseSignedNote,
  utf8,
  verifyCosignatures,
  witnessStep,
} from "@walwarden/verifier";
import { ClaimResponseSchema, WitnessListSchema } from "@walwarden/verifier/wire";
import { call, makeOrg, type Org } from "./support/client.js";
import { DEPLOYMENT, keyBody, registerKey, runnerSigner, withRunnerKey } from "./support/drill-calls.js";
import { logEntries, publishedPolicy } from "./support/log-checks.js";

const listed = async (org: Org) => {
  const r = await call("GET", "/v1/witnesses", { token: org.viewerToken });
  expect(r.status).toBe(200);
  return WitnessListSchema.parse(r.body);
};
const grow = (org: Org) =>
  call("POST", "/v1/databases", { token: org.adminToken, json: { name: `db ${Math.random()}`, provider: "neon" } });

/** The runner of `token` witnesses the log now from size 0 (claim, step, cosign, report); the size it cosigned. */
async function cosignNow(org: Org, token: string, signer: NamedSigner): Promise<number> {
  const claim = await call("POST", "/v1/runner/claim", {
    token,
    json: { version: "0.1.0", databases: [], kinds: ["backup"], witness: { size: "0" } },
  });
  const view = ClaimResponseSchema.parse(claim.body).witness;
  if (!view) throw new Error("nothing to witness");
  const policy = await publishedPolicy();
  const step = witnessStep(null, view.checkpoint, policy.checkpointKeys, `${DEPLOYMENT}/log/${org.orgId}`, []);
  if (!step.ok) throw new Error(step.message);
  const body = parseSignedNote(view.checkpoint);
  if (!body.ok) throw new Error(body.message);
  const line = cosignCheckpoint(body.value.text, signer, Math.floor(Date.now() / 1000));
  if (!line.ok) throw new Error(line.message);
  const sent = await call("POST", "/v1/runner/witness", {
    token,
    json: { size: step.value.next.size.toString(), cosignature: line.value },
  });
  if (sent.status !== 200) throw new Error(JSON.stringify(sent.body));
  return Number(step.value.next.size);
}

describe("GET /v1/witnesses: the runners as witnesses", () => {
  it("a runner that cosigned shows its size and 0 lag at the head; after appends the head moves on and its lag grows", async () => {
    const org = await makeOrg();
    const signer = await withRunnerKey(org);
    // Registered, not yet cosigned: listed at 0, waiting since the log's first entry.
    const before = (await listed(org)).runners;
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ runnerId: org.runnerId, name: "runner one", cosignedSize: 0, cosignedAt: null });
    expect(before[0]!.waitingSince).not.toBeNull();

    const size = await cosignNow(org, org.runnerToken, signer);
    const [at] = (await listed(org)).runners;
    expect(at).toMatchObject({
      runnerId: org.runnerId,
      keyName: `${DEPLOYMENT}/runner/${org.runnerId}`,
      cosignedSize: size,
      headSize: size,
      waitingSince: null,
      lagSeconds: 0,
    });
    expect(Date.now() - Date.parse(at!.cosignedAt!)).toBeLessThan(60_000);
    // Its vkey is its cosigner key: the checkpoint of that size carries a line that verifies with it.
    const key = parseCosignerVkey(at!.vkey);
    if (!key.ok) throw new Error(key.message);
    expect(key.value.name).toBe(at!.keyName);
    const note = await call("GET", `/v1/log/checkpoints/${size}`, { token: org.viewerToken });
    expect(verifyCosignatures(String(note.body), [key.value], 1)).toMatchObject({ ok: true });

    await grow(org);
    await grow(org);
    await new Promise((r) => setTimeout(r, 2100));
    const [behind] = (await listed(org)).runners;
    expect(behind!.cosignedSize).toBe(size);
    expect(behind!.headSize).toBe(size + 2);
    expect(behind!.cosignedAt).toBe(at!.cosignedAt);
    // Waiting since the first entry it has not cosigned was appended (entry `size`), for as long as that is.
    const entries = (await logEntries(org.adminToken)).map((t) => decodeEntry(utf8(t)));
    const first = entries[size];
    if (!first?.ok) throw new Error("no entry after the cosigned size");
    expect(behind!.waitingSince).toBe(first.value.at);
    expect(behind!.lagSeconds).toBeGreaterThanOrEqual(2);
    expect(behind!.lagSeconds).toBe(Math.floor((Date.now() - Date.parse(first.value.at)) / 1000));
  });

  it("leaves out a runner without a key and a revoked one; a viewer reads it; another org's runners are not listed", async () => {
    const org = await makeOrg();
    await withRunnerKey(org);
    const keyless = await call("POST", "/v1/runners", { token: org.adminToken, json: { name: "no key yet" } });
    expect(keyless.status).toBe(201);
    const gone = await call("POST", "/v1/runners", { token: org.adminToken, json: { name: "revoked one" } });
    expect((await registerKey(gone.body.token, keyBody(runnerSigner(gone.body.id, 7)))).status).toBe(200);
    expect((await listed(org)).runners.map((r) => r.runnerId).sort()).toEqual([org.runnerId, gone.body.id].sort());
    expect((await call("DELETE", `/v1/runners/${gone.body.id}`, { token: org.adminToken })).status).toBe(204);
    const after = await listed(org);
    expect(after.runners.map((r) => r.name)).toEqual(["runner one"]);
    expect(after.items).toEqual([]);
    const other = await makeOrg();
    expect((await listed(other)).runners).toEqual([]);
  });
});
