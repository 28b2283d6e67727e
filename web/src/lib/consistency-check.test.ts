import { describe, expect, it } from "vitest";
import { formatVkey, generateKeyPair, MemoryLog, signCheckpoint, toBase64, utf8 } from "@walwarden/verifier";
import { checkConsistency } from "./consistency-check.js";
import type { PinnedKeys } from "./pinned-keys.js";

const ORG = "org_01test";
const origin = `w.example/log/${ORG}`;
const key = generateKeyPair();
const signer = { name: "w.example/checkpoint", secretKey: key.secretKey };
const manifestKey = formatVkey("w.example/manifest", generateKeyPair().publicKey);
const pinned: PinnedKeys = {
  origin: "w.example/log",
  checkpoint: [formatVkey(signer.name, key.publicKey)],
  manifest: [manifestKey],
  pinnedAt: "2026-11-24T00:00:00.000Z",
};

const log = new MemoryLog();
for (let i = 0; i < 20; i++) log.appendBytes(utf8(`entry ${i}`));
const note = (size: number, s = signer) => {
  const n = signCheckpoint({ origin, size, rootHash: log.root(size) }, s);
  if (!n.ok) throw new Error(n.message);
  return n.value;
};
const input = (from: number, to: number) => ({
  fromSize: from,
  toSize: to,
  fromNote: note(from),
  toNote: note(to),
  proof: log.consistencyProof(from, to).map(toBase64),
});

describe("the in-browser consistency check", () => {
  it("verifies both checkpoints and the proof", () => {
    const r = checkConsistency(input(7, 20), pinned, ORG);
    expect(r.verdict).toBe("verified");
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      ["checkpoint.from", "pass"],
      ["checkpoint.to", "pass"],
      ["consistency", "pass"],
    ]);
  });
  it("fails an altered proof hash", () => {
    const i = input(7, 20);
    const h = Buffer.from(i.proof[0]!, "base64");
    h[0] = h[0]! ^ 1;
    i.proof[0] = h.toString("base64");
    expect(checkConsistency(i, pinned, ORG)).toMatchObject({ verdict: "not-verified", failed: "consistency" });
  });
  it("fails a checkpoint signed by a key that is not pinned", () => {
    const other = { name: signer.name, secretKey: generateKeyPair().secretKey };
    expect(checkConsistency({ ...input(7, 20), toNote: note(20, other) }, pinned, ORG)).toMatchObject({
      verdict: "not-verified",
      failed: "checkpoint.to",
    });
  });
  it("fails another org's log and a note for another size", () => {
    expect(checkConsistency(input(7, 20), pinned, "org_other")).toMatchObject({
      verdict: "not-verified",
      failed: "checkpoint.from",
    });
    expect(checkConsistency({ ...input(7, 20), fromNote: note(8) }, pinned, ORG)).toMatchObject({
      verdict: "not-verified",
      failed: "checkpoint.from",
    });
  });
  it("fails a rewritten history: a proof between trees that do not extend each other", () => {
    const forked = new MemoryLog();
    for (let i = 0; i < 20; i++) forked.appendBytes(utf8(i === 3 ? "rewritten" : `entry ${i}`));
    const forkedNote = signCheckpoint({ origin, size: 20, rootHash: forked.root(20) }, signer);
    if (!forkedNote.ok) throw new Error(forkedNote.message);
    expect(checkConsistency({ ...input(7, 20), toNote: forkedNote.value }, pinned, ORG)).toMatchObject({
      verdict: "not-verified",
      failed: "consistency",
    });
  });
});
