// The runner as its org's witness (SPEC §13) on real files in a temp state dir: it cosigns what extends
// what it accepted, refuses a rollback and a split view (the real checkpoint key signing a second branch),
// keeps its state across a restart (a new load from disk), and never cosigns without storing first.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  consistencyProof,
  cosignerKey,
  leafHash,
  publicKeyOf,
  rootFromLeafHashes,
  signCheckpoint,
  signerVerifier,
  utf8,
  verifyCosignatures,
} from "@walwarden/verifier";
import { describe, expect, it } from "vitest";
import { witnessCheckpoint, type WitnessInput } from "./witness-checkpoint.js";
import { loadWitnessState, WITNESS_STATE_FILE } from "./witness-store.js";

const ORIGIN = "test.walwarden.dev/log/org_acme";
const LOG_SIGNER = { name: "test.walwarden.dev/checkpoint", secretKey: new Uint8Array(32).fill(1) };
const RUNNER = { name: "test.walwarden.dev/runner/rn_01", secretKey: new Uint8Array(32).fill(5) };
const WITNESS_KEY = cosignerKey(RUNNER.name, publicKeyOf(RUNNER.secretKey));

const leaves = (n: number, branch = "a", forkAt = Number.POSITIVE_INFINITY) =>
  Array.from({ length: n }, (_, i) => leafHash(utf8(`entry ${i}${i >= forkAt ? ` of ${branch}` : ""}`)));
function noteOf(all: Uint8Array[], size: number): string {
  const n = signCheckpoint({ origin: ORIGIN, size, rootHash: rootFromLeafHashes(all.slice(0, size)) }, LOG_SIGNER);
  if (!n.ok) throw new Error(n.message);
  return n.value;
}

const input = (stateDir: string, note: string, proof: Uint8Array[] = []): WitnessInput => ({
  stateDir,
  note,
  proof,
  logKeys: [signerVerifier(LOG_SIGNER)],
  origin: ORIGIN,
  signer: RUNNER,
  nowSeconds: 1_765_000_000,
});

describe("the runner's witness", () => {
  it("cosigns the first checkpoint and each that extends it; the cosigned note verifies with its vkey", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-witness-"));
    const log = leaves(30);
    const first = await witnessCheckpoint(input(dir, noteOf(log, 10)));
    if (!first.ok) throw new Error(first.message);
    const cosigned = noteOf(log, 10) + first.value.cosignature;
    const verified = verifyCosignatures(cosigned, [WITNESS_KEY], 1);
    expect(verified.ok && verified.value.map((c) => c.timestamp)).toEqual([1_765_000_000n]);
    const next = await witnessCheckpoint(input(dir, noteOf(log, 30), consistencyProof(log, 10)));
    expect(next.ok && next.value.size).toBe(30n);
    expect((await loadWitnessState(dir)).ok).toBe(true);
  });

  it("refuses a rollback and a split view, cosigns nothing, and keeps its state; a restart remembers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-witness-"));
    const a = leaves(20, "a", 12);
    const b = leaves(20, "b", 12);
    expect((await witnessCheckpoint(input(dir, noteOf(a, 15)))).ok).toBe(true);
    const stored = readFileSync(join(dir, WITNESS_STATE_FILE), "utf8");
    expect(await witnessCheckpoint(input(dir, noteOf(a, 14)))).toMatchObject({ ok: false, code: "rollback" });
    expect(await witnessCheckpoint(input(dir, noteOf(b, 15)))).toMatchObject({ ok: false, code: "fork" });
    expect(await witnessCheckpoint(input(dir, noteOf(b, 20), consistencyProof(b, 15)))).toMatchObject({
      ok: false,
      code: "inconsistent",
    });
    expect(readFileSync(join(dir, WITNESS_STATE_FILE), "utf8")).toBe(stored);
    // A restart is a fresh read of the state dir: it still refuses branch b and accepts a's continuation.
    const state = await loadWitnessState(dir);
    expect(state.ok && state.value?.size).toBe(15n);
    expect((await witnessCheckpoint(input(dir, noteOf(a, 20), consistencyProof(a, 15)))).ok).toBe(true);
  });

  it("a state file that does not parse is an error, not a fresh start; an unwritable dir cosigns nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-witness-"));
    writeFileSync(join(dir, WITNESS_STATE_FILE), "{ not json");
    expect(await witnessCheckpoint(input(dir, noteOf(leaves(3), 3)))).toMatchObject({
      ok: false,
      code: "state-unreadable",
    });
    // A state dir that is a file (root may write anywhere, but not under a file): nothing cosigned.
    const notDir = join(mkdtempSync(join(tmpdir(), "ww-witness-")), "file");
    writeFileSync(notDir, "");
    expect(await witnessCheckpoint(input(notDir, noteOf(leaves(3), 3)))).toMatchObject({
      ok: false,
      code: "state-unreadable",
    });
    // Nothing stored yet, and the temp file cannot be written (a directory is in its place): nothing cosigned.
    const blocked = mkdtempSync(join(tmpdir(), "ww-witness-"));
    mkdirSync(join(blocked, `${WITNESS_STATE_FILE}.${process.pid}.tmp`));
    expect(await witnessCheckpoint(input(blocked, noteOf(leaves(3), 3)))).toMatchObject({
      ok: false,
      code: "state-unwritable",
    });
    expect((await loadWitnessState(blocked)).ok && (await loadWitnessState(blocked))).toMatchObject({ value: null });
  });
});
