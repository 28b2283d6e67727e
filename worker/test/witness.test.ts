// The runner as its org's witness, on the Worker's side (verifier/SPEC.md §13), in real workerd: a claim that
// says the runner's accepted size is answered with the newest checkpoint and the consistency proof from it;
// the runner's cosignature/v1 line is checked against its registered key and kept, and every checkpoint of
// that size the Worker serves carries it; a refusal is logged once as witness.refused and alerts.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  BundlePaths,
  cosignCheckpoint,
  cosignerKey,
  decodeEntry,
  fromBase64,
  parseCheckpointNote,
  parseSignedNote,
  readBundle,
  utf8,
  verifyBundle,
  verifyCosignatures,
  type WitnessState,
  witnessStep,
} from "@walwarden/verifier";
import { ClaimResponseSchema } from "@walwarden/verifier/wire";
import { runCronTick } from "../src/scheduling/cron-tick.js";
import { call, makeOrg, type Org } from "./support/client.js";
import { DEPLOYMENT, withRunnerKey } from "./support/drill-calls.js";
import { logEntries, publishedPolicy } from "./support/log-checks.js";

const NOW_S = 1_765_000_000;

/** A claim for nothing but the witness's view, from a runner that accepted `size`. */
async function witnessClaim(org: Org, size: string) {
  const r = await call("POST", "/v1/runner/claim", {
    token: org.runnerToken,
    json: { version: "0.1.0", databases: [], kinds: ["backup"], witness: { size } },
  });
  expect(r.status).toBe(200);
  return ClaimResponseSchema.parse(r.body).witness;
}

const report = (org: Org, json: unknown) => call("POST", "/v1/runner/witness", { token: org.runnerToken, json });

/** Something logged, so the log grows: a database made through the API. */
const grow = (org: Org) =>
  call("POST", "/v1/databases", { token: org.adminToken, json: { name: `db ${Math.random()}`, provider: "neon" } });

/** The origin of the org's log, and its checkpoint keys as the Worker publishes them. */
async function logKeys(org: Org) {
  const policy = await publishedPolicy();
  return { keys: policy.checkpointKeys, origin: `${DEPLOYMENT}/log/${org.orgId}` };
}

/** The runner witnesses the log now (claim, step, cosign, report); the size it cosigned. */
async function cosignNow(org: Org, signer: { name: string; secretKey: Uint8Array }, from = "0"): Promise<bigint> {
  const { keys, origin } = await logKeys(org);
  const view = await witnessClaim(org, from);
  if (!view) throw new Error("nothing to witness");
  const step = witnessStep(null, view.checkpoint, keys, origin, []);
  if (!step.ok) throw new Error(step.message);
  const body = parseSignedNote(view.checkpoint);
  if (!body.ok) throw new Error(body.message);
  const line = cosignCheckpoint(body.value.text, signer, NOW_S);
  if (!line.ok) throw new Error(line.message);
  const sent = await report(org, { size: step.value.next.size.toString(), cosignature: line.value });
  if (sent.status !== 200) throw new Error(JSON.stringify(sent.body));
  return step.value.next.size;
}

/** POST /v1/evidence as the org's viewer: the zip's bytes. */
async function exported(org: Org, from: string, to: string): Promise<Uint8Array> {
  const res = await SELF.fetch("https://walwarden.test/v1/evidence", {
    method: "POST",
    headers: { authorization: `Bearer ${org.viewerToken}`, "content-type": "application/json" },
    body: JSON.stringify({ from, to }),
  });
  const zip = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(new TextDecoder().decode(zip));
  return zip;
}

describe("the runner as witness, on the Worker's side", () => {
  it("hands the newest checkpoint and a proof, keeps the runner's cosignature and serves it with the checkpoint", async () => {
    const org = await makeOrg();
    const signer = await withRunnerKey(org);
    const { keys, origin } = await logKeys(org);
    const first = await witnessClaim(org, "0");
    expect(first?.proof).toEqual([]);
    const step = witnessStep(null, first!.checkpoint, keys, origin, []);
    if (!step.ok) throw new Error(step.message);
    const size = step.value.next.size.toString();
    const body = parseSignedNote(first!.checkpoint);
    if (!body.ok) throw new Error(body.message);
    const line = cosignCheckpoint(body.value.text, signer, NOW_S);
    if (!line.ok) throw new Error(line.message);
    const sent = await report(org, { size, cosignature: line.value });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toEqual({ accepted: true });

    // The checkpoint of that size, however it is fetched, carries the runner's line after the log's signature.
    const witness = cosignerKey(signer.name, signer.publicKey);
    const at = await call("GET", `/v1/log/checkpoints/${size}`, { token: org.viewerToken });
    expect(verifyCosignatures(String(at.body), [witness], 1)).toMatchObject({ ok: true });
    const head = await call("GET", "/v1/log/checkpoint", { token: org.viewerToken });
    expect(head.body.treeSize).toBe(Number(size));
    expect(head.body.checkpoint).toContain(line.value);

    // Unchanged log: nothing to witness. A grown one: the proof from the accepted size verifies.
    expect(await witnessClaim(org, String(head.body.treeSize))).toBeUndefined();
    await grow(org);
    const next = await witnessClaim(org, size);
    const accepted: WitnessState = step.value.next;
    const proof = next!.proof.map((h) => fromBase64(h)!);
    expect(witnessStep(accepted, next!.checkpoint, keys, origin, proof)).toMatchObject({ ok: true });
    expect(proof.length).toBeGreaterThan(0);
  });

  it("an evidence bundle is proven against the newest cosigned checkpoint that covers it, and verifies with --witness", async () => {
    const org = await makeOrg();
    const signer = await withRunnerKey(org);
    const from = new Date(Date.now() - 60_000).toISOString();
    const size = await cosignNow(org, signer);
    await new Promise((r) => setTimeout(r, 5));
    const to = new Date().toISOString();
    // More is logged after the period: the head grows past the cosigned checkpoint, which still covers it.
    await grow(org);
    const zip = await exported(org, from, to);
    const witnesses = [cosignerKey(signer.name, signer.publicKey)];
    const policy = await publishedPolicy();
    const report = await verifyBundle(zip, { ...policy, witnesses });
    expect(report.verdict, JSON.stringify(report.checks.filter((c) => c.status === "fail"))).toBe("verified");
    const files = readBundle(zip);
    if (!files.ok) throw new Error(files.message);
    expect(parseCheckpointNote(files.value.get(BundlePaths.checkpoint)!)).toMatchObject({ ok: true, value: { size } });
    // A period that runs past it (to now) is proven against the head, which nobody cosigned yet.
    const later = await exported(org, from, new Date(Date.now() + 60_000).toISOString());
    expect((await verifyBundle(later, { ...policy, witnesses })).verdict).toBe("not-verified");
    expect((await verifyBundle(later, policy)).verdict).toBe("verified");
  });

  it("refuses a cosignature that is not the runner's, for a size never signed, or from a runner without a key", async () => {
    const org = await makeOrg();
    const noKey = await report(org, { size: "1", cosignature: "— x AAAA\n" });
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.message).toMatch(/registered no key/);
    const signer = await withRunnerKey(org);
    const view = await witnessClaim(org, "0");
    const parsed = parseSignedNote(view!.checkpoint);
    if (!parsed.ok) throw new Error(parsed.message);
    const size = parsed.value.text.split("\n")[1]!;
    // Signed by another key under the runner's name: does not verify with the registered one.
    const rogue = { name: signer.name, secretKey: new Uint8Array(32).fill(9) };
    const forged = cosignCheckpoint(parsed.value.text, rogue, NOW_S);
    if (!forged.ok) throw new Error(forged.message);
    const refused = await report(org, { size, cosignature: forged.value });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/does not verify/);
    const honest = cosignCheckpoint(parsed.value.text, signer, NOW_S);
    if (!honest.ok) throw new Error(honest.message);
    expect((await report(org, { size: "999999", cosignature: honest.value })).status).toBe(400);
    for (const body of [
      { size: "01", cosignature: honest.value },
      { size, cosignature: honest.value, extra: 1 },
      { size, refused: { acceptedSize: "1", code: "Fork!", message: "x" } },
      { size },
    ])
      expect((await report(org, body)).status).toBe(400);
    // Nothing refused was kept: the checkpoint carries no witness line.
    const at = await call("GET", `/v1/log/checkpoints/${size}`, { token: org.viewerToken });
    expect(verifyCosignatures(String(at.body), [cosignerKey(signer.name, signer.publicKey)], 1)).toMatchObject({
      ok: false,
      code: "quorum",
    });
  });

  it("a refusal is logged once as witness.refused, and the tick sends it as a critical alert", async () => {
    const org = await makeOrg();
    await withRunnerKey(org);
    const refusal = {
      size: "7",
      refused: {
        acceptedSize: "9",
        code: "rollback",
        message: "checkpoint of size 7 is older than the accepted size 9",
      },
    };
    expect((await report(org, refusal)).body).toEqual({ accepted: false });
    expect((await report(org, { ...refusal, size: "8" })).body).toEqual({ accepted: false });
    const entries = (await logEntries(org.adminToken))
      .map((t) => decodeEntry(utf8(t)))
      .flatMap((e) => (e.ok && e.value.type === "witness.refused" ? [e.value] : []));
    expect(entries.map((e) => e.data)).toEqual([
      {
        runnerId: org.runnerId,
        size: "7",
        acceptedSize: "9",
        code: "rollback",
        message: "checkpoint of size 7 is older than the accepted size 9",
      },
    ]);
    await runCronTick(env, Date.now());
    const { results } = await env.DB.prepare(
      "SELECT condition, severity, summary FROM alert_incidents WHERE org_id = ? AND condition = 'witness.refused'",
    )
      .bind(org.orgId)
      .all<{ condition: string; severity: string; summary: string }>();
    expect(results).toEqual([
      {
        condition: "witness.refused",
        severity: "critical",
        summary: `Runner ${org.runnerId} refused the log's checkpoint of size 7 (rollback): the log may have shown it another history`,
      },
    ]);
  });
});
