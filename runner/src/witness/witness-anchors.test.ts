// The runner's witness anchoring what it cosigns and witnessing kits (SPEC §10 "Witnessed kits", §13
// "Anchored checkpoints"), on real files in a temp state dir and a bucket that records what is put: the chain
// it writes is what the verifier's chain check accepts; a failed write is retried without a gap; a kit whose
// proof no longer fits the state is completed again from the state's size; a refused kit checkpoint gives
// the refusal record and no cosignature; a kit checkpoint already cosigned gets one line of the runner's key.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from "@aws-sdk/client-s3";
import {
  type AnchorFolder,
  checkChain,
  consistencyProof,
  cosignCheckpoint,
  cosignerKey,
  err,
  leafHash,
  ok,
  parseSignedNote,
  publicKeyOf,
  rootFromLeafHashes,
  signCheckpoint,
  signerVerifier,
  toBase64,
  utf8,
  verifyCosignatures,
} from "@walwarden/verifier";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { Completed } from "../api/worker-api.js";
import { withOwnCosignature } from "./witness-anchors.js";
import { RunnerWitness } from "./witness-loop.js";

const ORIGIN = "test.walwarden.dev/log/org_acme";
const LOG_SIGNER = { name: "test.walwarden.dev/checkpoint", secretKey: new Uint8Array(32).fill(1) };
const RUNNER_SEED = new Uint8Array(32).fill(5);
const RUNNER = { name: "test.walwarden.dev/runner/rn_01", secretKey: RUNNER_SEED, publicKey: publicKeyOf(RUNNER_SEED) };
const WITNESS_KEY = cosignerKey(RUNNER.name, publicKeyOf(RUNNER.secretKey));
const POLICY = { checkpointKeys: [signerVerifier(LOG_SIGNER)], manifestKeys: [], origin: ORIGIN };

const leaves = (n: number, branch = "a", forkAt = Number.POSITIVE_INFINITY) =>
  Array.from({ length: n }, (_, i) => leafHash(utf8(`entry ${i}${i >= forkAt ? ` of ${branch}` : ""}`)));
function noteOf(all: Uint8Array[], size: number): string {
  const n = signCheckpoint({ origin: ORIGIN, size, rootHash: rootFromLeafHashes(all.slice(0, size)) }, LOG_SIGNER);
  if (!n.ok) throw new Error(n.message);
  return n.value;
}
const proofOf = (all: Uint8Array[], from: number, size: number) =>
  from === 0 || from === size ? [] : consistencyProof(all.slice(0, size), from).map(toBase64);

/** A bucket that keeps what is put (and can be told to fail), as an S3Client. */
function recordingBucket() {
  const puts: PutObjectCommandInput[] = [];
  let failing = false;
  const s3 = {
    send: async (cmd: unknown) => {
      if (!(cmd instanceof PutObjectCommand)) throw new Error("only PutObject");
      if (failing) throw new Error("503 SlowDown");
      puts.push(cmd.input);
      return {};
    },
  } as unknown as S3Client;
  const objects = () => new Map(puts.map((p) => [p.Key!, String(p.Body)]));
  return { s3, puts, objects, fail: (f: boolean) => (failing = f) };
}

/** The runner's witness on a fresh state dir, with a Worker that takes every report. */
function witnessFor(bucket = recordingBucket(), retention?: { mode: "GOVERNANCE"; retainUntil: Date }) {
  const reports: unknown[] = [];
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const witness = new RunnerWitness({
    stateDir: mkdtempSync(join(tmpdir(), "ww-anchor-")),
    api: {
      witness: async (r) => {
        reports.push(r);
        return ok({ accepted: true });
      },
    },
    log,
    signer: () => RUNNER,
    orgId: () => "org_acme",
    logPolicy: async () => ({ ok: true, value: POLICY }),
    anchors: { s3: bucket.s3, bucket: "acme-backups", prefix: "walwarden/", retention: () => retention },
  });
  return { witness, bucket, reports, lines };
}

/** The runner folder of the bucket as the verifier's audit reads it. */
function folderOf(objects: Map<string, string>): AnchorFolder {
  const folder: AnchorFolder = { runnerId: "rn_01", notes: new Map(), proofs: new Map(), others: [] };
  for (const [key, body] of objects) {
    const name = key.replace("walwarden/checkpoints/rn_01/", "");
    if (name === "latest.txt") folder.latest = { text: body };
    else if (name.endsWith(".proof.json")) folder.proofs.set(name.slice(0, -11), JSON.parse(body));
    else if (name.endsWith(".txt")) folder.notes.set(name.slice(0, -4), body);
  }
  return folder;
}

/** A complete's answer whose checkpoint is the log at `size`, proven from `from`. */
const answerAt = (log: Uint8Array[], size: number, from: number): Completed =>
  ({ checkpoint: noteOf(log, size), witnessProof: proofOf(log, from, size) }) as unknown as Completed;

describe("anchoring what the runner cosigns", () => {
  it("writes each cosigned checkpoint with its proof from the one before, and the verifier's chain check accepts it", async () => {
    const { witness, bucket, reports } = witnessFor(recordingBucket(), {
      mode: "GOVERNANCE",
      retainUntil: new Date("2027-01-01T00:00:00.000Z"),
    });
    const log = leaves(30);
    await witness.handle({ checkpoint: noteOf(log, 10), proof: [] });
    await witness.handle({ checkpoint: noteOf(log, 17), proof: proofOf(log, 10, 17) });
    await witness.handle({ checkpoint: noteOf(log, 30), proof: proofOf(log, 17, 30) });
    expect(reports).toHaveLength(3);
    // Each anchor: its proof, then its note, then latest.txt, locked with the configured lock.
    expect(bucket.puts.map((p) => p.Key)).toEqual(
      [10, 17, 30].flatMap((n) => [
        `walwarden/checkpoints/rn_01/${n}.proof.json`,
        `walwarden/checkpoints/rn_01/${n}.txt`,
        "walwarden/checkpoints/rn_01/latest.txt",
      ]),
    );
    for (const p of bucket.puts) expect(p.ObjectLockMode).toBe("GOVERNANCE");
    const chain = checkChain(folderOf(bucket.objects()), {
      checkpointKeys: POLICY.checkpointKeys,
      origin: ORIGIN,
      witnesses: [WITNESS_KEY],
    });
    expect(chain.problems).toEqual([]);
    expect(chain.anchored.map((a) => a.size)).toEqual([10n, 17n, 30n]);
    expect(JSON.parse(bucket.objects().get("walwarden/checkpoints/rn_01/17.proof.json")!)).toMatchObject({
      from: "10",
      to: "17",
    });
  });

  it("a failed write stays queued and is written first at the next step: no gap", async () => {
    const { witness, bucket, lines } = witnessFor();
    const log = leaves(30);
    await witness.handle({ checkpoint: noteOf(log, 10), proof: [] });
    bucket.fail(true);
    await witness.handle({ checkpoint: noteOf(log, 17), proof: proofOf(log, 10, 17) });
    expect(lines.some((l) => l.event === "witness.anchor_failed")).toBe(true);
    bucket.fail(false);
    await witness.handle({ checkpoint: noteOf(log, 30), proof: proofOf(log, 17, 30) });
    const chain = checkChain(folderOf(bucket.objects()), { checkpointKeys: POLICY.checkpointKeys, origin: ORIGIN });
    expect(chain.problems).toEqual([]);
    expect(chain.anchored.map((a) => a.size)).toEqual([10n, 17n, 30n]);
  });

  it("a refused checkpoint is neither stored nor anchored; the chain goes on from the accepted one", async () => {
    const { witness, bucket, reports } = witnessFor();
    const a = leaves(30, "a", 12);
    const b = leaves(30, "b", 12);
    await witness.handle({ checkpoint: noteOf(a, 15), proof: [] });
    await witness.handle({ checkpoint: noteOf(b, 20), proof: proofOf(b, 15, 20) });
    expect(reports.at(-1)).toMatchObject({ size: "20", refused: { acceptedSize: "15", code: "inconsistent" } });
    await witness.handle({ checkpoint: noteOf(a, 25), proof: proofOf(a, 15, 25) });
    const chain = checkChain(folderOf(bucket.objects()), { checkpointKeys: POLICY.checkpointKeys, origin: ORIGIN });
    expect(chain.problems).toEqual([]);
    expect(chain.anchored.map((x) => x.size)).toEqual([15n, 25n]);
  });
});

describe("witnessing a kit's checkpoint", () => {
  it("cosigns it (one line of the runner's key, even over a served one), anchors it and reports it", async () => {
    const { witness, bucket, reports } = witnessFor();
    const log = leaves(30);
    await witness.handle({ checkpoint: noteOf(log, 10), proof: [] });
    const field = await witness.completeField();
    expect(field).toEqual({ size: "10" });
    // The Worker's answer already carries an old line of this runner: the kit gets one line, the new one.
    const body = parseSignedNote(noteOf(log, 12));
    if (!body.ok) throw new Error(body.message);
    const stale = cosignCheckpoint(body.value.text, RUNNER, 1);
    if (!stale.ok) throw new Error(stale.message);
    const answer = { ...answerAt(log, 12, 10), checkpoint: noteOf(log, 12) + stale.value };
    const w = await witness.witnessKit(answer, field, async () => err("unavailable", "not called"));
    expect(w.status).toBe("cosigned");
    if (w.status !== "cosigned") return;
    const verified = verifyCosignatures(w.completed.checkpoint, [WITNESS_KEY], 1);
    expect(verified.ok && verified.value.length).toBe(1);
    expect(w.completed.checkpoint.match(/— test\.walwarden\.dev\/runner\/rn_01 /g)).toHaveLength(1);
    expect(reports.at(-1)).toMatchObject({ size: "12" });
    expect(bucket.objects().has("walwarden/checkpoints/rn_01/12.txt")).toBe(true);
    expect(await witness.completeField()).toEqual({ size: "12" });
  });

  it("completes again from the size it holds when the state moved on since the request; keys unavailable retry later", async () => {
    const { witness } = witnessFor();
    const log = leaves(30);
    await witness.handle({ checkpoint: noteOf(log, 10), proof: [] });
    const sent = await witness.completeField();
    // Meanwhile a claim was witnessed at 20: the answer's proof from 10 no longer fits.
    await witness.handle({ checkpoint: noteOf(log, 20), proof: proofOf(log, 10, 20) });
    const asked: unknown[] = [];
    const w = await witness.witnessKit(answerAt(log, 15, 10), sent, async (again) => {
      asked.push(again);
      return ok(answerAt(log, 22, 20));
    });
    expect(asked).toEqual([{ size: "20" }]);
    expect(w).toMatchObject({ status: "cosigned", size: "22" });
    const down = await witness.witnessKit(answerAt(log, 24, 22), { size: "20" }, async () =>
      err("unavailable", "cannot reach the Walwarden API"),
    );
    expect(down).toMatchObject({ status: "retry" });
  });

  it("a refused kit checkpoint gives the refusal record, reported, and the checkpoint without the runner's line", async () => {
    const { witness, reports } = witnessFor();
    const a = leaves(30, "a", 12);
    const b = leaves(30, "b", 12);
    await witness.handle({ checkpoint: noteOf(a, 15), proof: [] });
    const w = await witness.witnessKit(answerAt(b, 15, 15), { size: "15" }, async () => err("unavailable", "x"));
    expect(w.status).toBe("refused");
    if (w.status !== "refused") return;
    expect(w.refusal).toMatchObject({ v: 1, code: "fork", acceptedSize: "15", size: "15", proof: [] });
    expect(w.completed.checkpoint).toBe(noteOf(b, 15));
    expect(reports.at(-1)).toMatchObject({ size: "15", refused: { code: "fork", acceptedSize: "15" } });
  });

  it("without a registered key or a witnessProof the kit is not witnessed, and says why", async () => {
    const { witness } = witnessFor();
    const log = leaves(10);
    const noProof = { checkpoint: noteOf(log, 5) } as unknown as Completed;
    expect(await witness.witnessKit(noProof, { size: "0" }, async () => err("unavailable", "x"))).toMatchObject({
      status: "unwitnessed",
      reason: expect.stringContaining("no witnessProof"),
    });
    const unregistered = new RunnerWitness({
      stateDir: mkdtempSync(join(tmpdir(), "ww-anchor-")),
      api: { witness: async () => ok({ accepted: true }) },
      log: pino({ level: "silent" }),
      signer: () => undefined,
      orgId: () => undefined,
      logPolicy: async () => ({ ok: true, value: POLICY }),
    });
    expect(await unregistered.completeField()).toBeUndefined();
    expect(
      await unregistered.witnessKit(answerAt(log, 5, 0), undefined, async () => err("unavailable", "x")),
    ).toMatchObject({
      status: "unwitnessed",
      registered: false,
    });
  });
});

describe("withOwnCosignature", () => {
  it("keeps the log's and other witnesses' lines, drops the runner key's, appends the new one", () => {
    const log = leaves(4);
    const note = noteOf(log, 4);
    const body = parseSignedNote(note);
    if (!body.ok) throw new Error(body.message);
    const other = cosignCheckpoint(
      body.value.text,
      { name: "witness.example/w1", secretKey: new Uint8Array(32).fill(4) },
      7,
    );
    const old = cosignCheckpoint(body.value.text, RUNNER, 1);
    const fresh = cosignCheckpoint(body.value.text, RUNNER, 2);
    // The runner's name under another key (a rotated one) is not its current key: kept.
    const rotated = cosignCheckpoint(body.value.text, { name: RUNNER.name, secretKey: new Uint8Array(32).fill(6) }, 3);
    if (!other.ok || !old.ok || !fresh.ok || !rotated.ok) throw new Error("cosign");
    const out = withOwnCosignature(note + other.value + old.value + rotated.value, fresh.value, WITNESS_KEY);
    expect(out).toBe(note + other.value + rotated.value + fresh.value);
  });
});
