import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  formatSignerKey,
  fromBase64,
  parseCheckpointNote,
  policyFromVkeys,
  verifyCheckpoint,
  verifyConsistency,
} from "@walwarden/verifier";
import type { AppendEvent } from "../src/ledger/ledger.js";
import { publishedKeys } from "../src/routes/well-known.js";
import { call, makeOrg } from "./support/client.js";
import { expectIncluded, logEntries, publishedPolicy } from "./support/log-checks.js";

const ledger = (orgId: string) => env.LEDGER.get(env.LEDGER.idFromName(orgId));
let n = 0;
const event = (over: Partial<AppendEvent> = {}): AppendEvent => {
  const i = ++n;
  return {
    key: `k${i}`,
    type: "backup.scheduled",
    actor: "system:cron",
    subject: "database:db_x",
    data: { jobId: `job_${i}`, scheduleId: null, databaseId: "db_x", slot: "2026-11-24T03:00:00.000Z" },
    ...over,
  };
};
const origin = (orgId: string) => `test.walwarden.dev/log/${orgId}`;

describe("Ledger Durable Object", () => {
  it("stores only well-formed text: a lone surrogate that reached an append is logged as U+FFFD", async () => {
    const orgId = "org_ledger_wellformed";
    const r = await ledger(orgId).append(orgId, [
      event({
        key: "fail-lone",
        type: "backup.failed",
        actor: "runner:run_1",
        data: {
          jobId: "job_1",
          databaseId: "db_x",
          runnerId: "run_1",
          attempt: 1,
          reason: "disk full \uDC00 \uD83D\uDE00",
          willRetry: false,
        },
      }),
    ]);
    if (!r.ok) throw new Error(r.message);
    const [entry] = r.value.entries;
    const parsed = JSON.parse(entry!.entry);
    expect(parsed.data.reason).toBe("disk full \uFFFD 😀");
    expectIncluded(entry!.entry, entry!.proof, r.value.checkpoint, await publishedPolicy(), orgId);
  });

  it("every checkpoint verifies, every entry is included, and each checkpoint is consistent with the one before", async () => {
    const orgId = "org_ledger1";
    const policy = await publishedPolicy();
    const stub = ledger(orgId);
    let previous: { size: bigint; root: Uint8Array } | undefined;
    for (const batch of [1, 3, 1, 7, 2, 16, 1, 5]) {
      const r = await stub.append(
        orgId,
        Array.from({ length: batch }, () => event()),
      );
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      for (const e of r.value.entries) expectIncluded(e.entry, e.proof, r.value.checkpoint, policy, orgId);
      const cp = verifyCheckpoint(r.value.checkpoint, policy.checkpointKeys, origin(orgId));
      if (!cp.ok) throw new Error(cp.message);
      if (previous) {
        const proof = await stub.consistency(orgId, Number(previous.size), Number(cp.value.size));
        if (!proof.ok) throw new Error(proof.message);
        const consistent = verifyConsistency(
          previous.size,
          cp.value.size,
          previous.root,
          cp.value.rootHash,
          proof.value.map((h) => fromBase64(h)!),
        );
        expect(consistent.ok).toBe(true);
      }
      previous = { size: cp.value.size, root: cp.value.rootHash };
    }
    expect(previous?.size).toBe(2n + 36n);
  });

  it("starts a log with key.registered for both keys, and appends each idempotency key once", async () => {
    const orgId = "org_ledger2";
    const e = event();
    const first = await ledger(orgId).append(orgId, [e]);
    const again = await ledger(orgId).append(orgId, [e, e]);
    if (!first.ok || !again.ok) throw new Error("append failed");
    expect(again.value.entries.map((x) => x.seq)).toEqual([2, 2]);
    expect(again.value.treeSize).toBe(3);
    const entries = await ledger(orgId).entries(orgId, 0, 10);
    if (!entries.ok) throw new Error(entries.message);
    expect(entries.value.map((t) => JSON.parse(t).type)).toEqual([
      "key.registered",
      "key.registered",
      "backup.scheduled",
    ]);
  });

  it("refuses an invalid event and writes nothing, not even the rest of the batch", async () => {
    const orgId = "org_ledger3";
    await ledger(orgId).append(orgId, [event()]);
    const bad = await ledger(orgId).append(orgId, [event(), event({ data: { jobId: "job_x", databaseId: "db_x" } })]);
    expect(bad).toMatchObject({ ok: false, code: "invalid-entry" });
    expect(await ledger(orgId).size()).toBe(3);
    const secret = await ledger(orgId).append(orgId, [event({ actor: "user:has spaces" })]);
    expect(secret).toMatchObject({ ok: false, code: "invalid-entry" });
  });

  it("belongs to one org: a call naming another org is refused", async () => {
    await ledger("org_a").append("org_a", [event()]);
    expect(await ledger("org_a").append("org_b", [event()])).toMatchObject({ ok: false, code: "wrong-org" });
    expect(await ledger("org_a").inclusion("org_b", 0)).toMatchObject({ ok: false, code: "wrong-org" });
  });

  it("refuses to sign a checkpoint inconsistent with the last one, and rolls the append back", async () => {
    const orgId = "org_ledger4";
    const stub = ledger(orgId);
    await stub.append(orgId, [event(), event()]);
    const before = await stub.checkpoint(orgId);
    await runInDurableObject(stub, (_instance, state) => {
      // Corrupt the stored root of leaves [0, 4): what a bad disk or a bug in the subtree store would do.
      state.storage.sql.exec("UPDATE nodes SET hash = ? WHERE level = 2 AND idx = 0", new Uint8Array(32).buffer);
    });
    const r = await stub.append(orgId, [event()]);
    expect(r).toMatchObject({ ok: false, code: "inconsistent" });
    expect(await stub.size()).toBe(4);
    const after = await stub.checkpoint(orgId);
    expect(after).toEqual(before);
  });

  it("rotating a signing key logs key.rotated, signs on with the new key, and old checkpoints still verify with the old one", async () => {
    const orgId = "org_ledger5";
    const stub = ledger(orgId);
    const old = await stub.append(orgId, [event()]);
    if (!old.ok) throw new Error(old.message);
    const newKey = formatSignerKey({ name: "test.walwarden.dev/checkpoint", secretKey: new Uint8Array(32).fill(9) });
    await runInDurableObject(stub, (instance) => {
      (instance as unknown as { env: typeof env }).env = { ...env, CHECKPOINT_SIGNER_KEY: newKey };
    });
    const rotated = await stub.append(orgId, [event()]);
    if (!rotated.ok) throw new Error(rotated.message);
    const entries = await stub.entries(orgId, 0, 10);
    if (!entries.ok) throw new Error(entries.message);
    const rotation = entries.value.map((t) => JSON.parse(t)).find((e) => e.type === "key.rotated");
    expect(rotation).toMatchObject({ subject: "key:checkpoint", data: { purpose: "checkpoint" } });
    expect(rotation.data.previousVkey).not.toBe(rotation.data.vkey);

    const withRetired = { ...env, CHECKPOINT_SIGNER_KEY: newKey, RETIRED_VKEYS: rotation.data.previousVkey };
    const published = publishedKeys(withRetired);
    expect(published.checkpoint).toEqual([rotation.data.vkey, rotation.data.previousVkey]);
    const policy = policyFromVkeys([...published.checkpoint, ...published.manifest]);
    if (!policy.ok) throw new Error(policy.message);
    expect(verifyCheckpoint(old.value.checkpoint, policy.value.checkpointKeys, origin(orgId)).ok).toBe(true);
    expect(verifyCheckpoint(rotated.value.checkpoint, policy.value.checkpointKeys, origin(orgId)).ok).toBe(true);
    const newOnly = policyFromVkeys([rotation.data.vkey]);
    if (!newOnly.ok) throw new Error(newOnly.message);
    expect(verifyCheckpoint(old.value.checkpoint, newOnly.value.checkpointKeys, origin(orgId)).ok).toBe(false);
  });

  it("mirrors every entry into D1 byte for byte", async () => {
    const org = await makeOrg();
    await ledger(org.orgId).append(
      org.orgId,
      Array.from({ length: 120 }, () => event()),
    );
    const fromDo = await ledger(org.orgId).entries(org.orgId, 0, 1000);
    if (!fromDo.ok) throw new Error(fromDo.message);
    expect(await logEntries(org.viewerToken)).toEqual(fromDo.value);
  });
});

describe("log routes", () => {
  it("pages and filters entries, serves checkpoints at earlier sizes and both kinds of proof", async () => {
    const org = await makeOrg();
    // The org's setup (keys, its first admin, tokens, a runner, a database) is logged first: s0 entries.
    const s0 = (await call("GET", "/v1/log/checkpoint", { token: org.viewerToken })).body.treeSize as number;
    await ledger(org.orgId).append(
      org.orgId,
      Array.from({ length: 30 }, (_, i) => event({ subject: i % 2 ? "database:db_odd" : "database:db_even" })),
    );
    const page = await call("GET", `/v1/log/entries?limit=10&after=${s0 + 3}`, { token: org.viewerToken });
    expect(page.body.entries.map((e: string) => JSON.parse(e).seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => s0 + 4 + i),
    );
    expect(page.body.nextAfter).toBe(s0 + 13);
    const odd = await call("GET", "/v1/log/entries?subject=database:db_odd&limit=1000", { token: org.viewerToken });
    expect(odd.body.entries).toHaveLength(15);
    const keys = await call("GET", "/v1/log/entries?type=key.registered", { token: org.viewerToken });
    expect(keys.body.entries).toHaveLength(2);
    expect((await call("GET", "/v1/log/entries?type=backup.exploded", { token: org.viewerToken })).status).toBe(400);

    const head = (await call("GET", "/v1/log/checkpoint", { token: org.viewerToken })).body;
    expect(head.treeSize).toBe(s0 + 30);
    // The first checkpoint was signed over the keys and the first admin.
    const at2 = await call("GET", "/v1/log/checkpoints/3", { token: org.viewerToken });
    expect(parseCheckpointNote(at2.body)).toMatchObject({ ok: true, value: { size: 3n } });
    expect((await call("GET", `/v1/log/checkpoints/${s0 + 15}`, { token: org.viewerToken })).status).toBe(400);

    const policy = await publishedPolicy();
    const incl = await call("GET", "/v1/log/proofs/inclusion?seq=7", { token: org.viewerToken });
    const entry7 = (await call("GET", "/v1/log/entries?after=6&limit=1", { token: org.viewerToken })).body.entries[0];
    expectIncluded(entry7, incl.body, head.checkpoint, policy, org.orgId);
    const cons = await call("GET", `/v1/log/proofs/consistency?from=3&to=${s0 + 30}`, { token: org.viewerToken });
    const a = parseCheckpointNote(at2.body);
    const b = parseCheckpointNote(head.checkpoint);
    if (!a.ok || !b.ok) throw new Error("checkpoints do not parse");
    expect(
      verifyConsistency(
        3,
        s0 + 30,
        a.value.rootHash,
        b.value.rootHash,
        cons.body.hashes.map((h: string) => fromBase64(h)!),
      ).ok,
    ).toBe(true);
    expect((await call("GET", `/v1/log/proofs/inclusion?seq=${s0 + 30}`, { token: org.viewerToken })).status).toBe(400);
    expect((await call("GET", "/v1/log/proofs/consistency?from=5&to=3", { token: org.viewerToken })).status).toBe(400);
    expect((await call("GET", "/v1/log/proofs/inclusion?seq=-1", { token: org.viewerToken })).status).toBe(400);
  });
});
