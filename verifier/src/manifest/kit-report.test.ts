import { describe, expect, test } from "vitest";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import { verify, type Ed25519Verify } from "../ed25519/ed25519.js";
import { portableSha256, sha256, type Sha256 } from "../hash/sha256.js";
import { fixturePolicy, ORIGIN } from "../test-support/fixture-log.js";
import { completedEntry, kitOf, sampleKit } from "../test-support/kit.js";
import { ROGUE_MANIFEST_SIGNER, testSigner } from "../test-support/keys.js";
import type { BackupKit } from "./kit-report.js";
import { backupKitReport } from "./kit-report.js";

const policy = fixturePolicy();
const IDS = [
  "manifest.signature",
  "manifest.predicate",
  "manifest.artifact",
  "kit.checkpoint",
  "kit.entry",
  "kit.inclusion",
];
const statuses = (kit: BackupKit, artifactSha256?: string, p = policy) =>
  backupKitReport(kit, p, artifactSha256).checks.map((c) => `${c.id} ${c.status}`);

describe("backupKitReport", () => {
  test("an honest kit verifies, every check passing in order, with and without the artifact", () => {
    const s = sampleKit();
    const r = backupKitReport(s.kit, policy, s.artifactSha256);
    expect(r.verdict).toBe("verified");
    expect(r.checks.map((c) => [c.id, c.status])).toEqual(IDS.map((id) => [id, "pass"]));
    expect(r.checks.find((c) => c.id === "kit.checkpoint")!.detail).toContain("no origin pinned");
    expect(statuses(s.kit)).toContain("manifest.artifact skip");
    expect(backupKitReport(s.kit, policy).verdict).toBe("verified");
  });

  test("a pinned origin is the one the checkpoint must have, and the report says so", () => {
    const s = sampleKit();
    const r = backupKitReport(s.kit, { ...policy, origin: ORIGIN }, s.artifactSha256);
    expect(r.verdict).toBe("verified");
    expect(r.checks.find((c) => c.id === "kit.checkpoint")!.detail).toContain("the pinned origin");
  });

  test("the given SHA-256 is the one used (for the leaf, the node hashes and manifestSha256)", () => {
    const s = sampleKit();
    let calls = 0;
    const counting: Sha256 = {
      digest: (d) => {
        calls++;
        return portableSha256.digest(d);
      },
      digestPrefixed: (p, d, m) => {
        calls++;
        return portableSha256.digestPrefixed(p, d, m);
      },
      stream: () => portableSha256.stream(),
    };
    expect(backupKitReport(s.kit, policy, s.artifactSha256, { sha256: counting, ed25519: () => true }).verdict).toBe(
      "verified",
    );
    expect(calls).toBeGreaterThan(2);
    // The pluggable Ed25519 is the one the manifest signature and the checkpoint's go through.
    expect(backupKitReport(s.kit, policy, s.artifactSha256, { ed25519: () => false }).failed).toBe(
      "manifest.bad-signature",
    );
    const signed: string[] = [];
    const recording: Ed25519Verify = (sig, message, key) => {
      signed.push(new TextDecoder().decode(message).split("\n")[0]!);
      return verify(sig, message, key);
    };
    expect(backupKitReport(s.kit, policy, s.artifactSha256, { ed25519: recording }).verdict).toBe("verified");
    expect(signed).toHaveLength(2);
    expect(signed[1]).toBe(s.kit.checkpoint.split("\n")[0]); // the checkpoint note's first line: its origin
  });

  test("a tampered artifact fails manifest.digest-mismatch", () => {
    const s = sampleKit();
    const r = backupKitReport(s.kit, policy, toHex(sha256(utf8("other bytes"))));
    expect(r.failed).toBe("manifest.digest-mismatch");
  });

  test("a kit whose manifest an unpinned key signed fails manifest.unknown-key (the rest of it is consistent)", () => {
    const s = sampleKit(ROGUE_MANIFEST_SIGNER);
    expect(backupKitReport(s.kit, policy, s.artifactSha256).failed).toBe("manifest.unknown-key");
    // Only the key is wrong: pinning the rogue key makes the same kit verify.
    const rogue = {
      ...policy,
      manifestKeys: [{ name: ROGUE_MANIFEST_SIGNER.name, publicKey: ROGUE_MANIFEST_SIGNER.publicKey }],
    };
    expect(backupKitReport(s.kit, rogue, s.artifactSha256).verdict).toBe("verified");
  });

  test("the entry of another backup, with its valid proof, fails kit.entry", () => {
    const s = sampleKit();
    const kit = kitOf(s.log, s.envelope, s.other.seq);
    const r = backupKitReport(kit, policy, s.artifactSha256);
    expect(r.failed).toBe("kit.entry");
    expect(r.checks.find((c) => c.id === "kit.entry")!.detail).toMatch(
      /backupId is "bk_02", the manifest's is "bk_01"/,
    );
    expect(statuses(kit, s.artifactSha256)).toContain("kit.inclusion pass");
  });

  test("an entry whose manifestSha256 is another manifest's fails kit.entry", () => {
    const s = sampleKit();
    const honest = completedEntry(s.log.size, s.envelope, s.predicate, s.artifactSha256);
    s.log.append({ ...honest, data: { ...honest.data, manifestSha256: toHex(sha256(utf8("another manifest"))) } });
    const kit = kitOf(s.log, s.envelope, honest.seq);
    const r = backupKitReport(kit, policy, s.artifactSha256);
    expect(r.failed).toBe("kit.entry");
    expect(r.checks.find((c) => c.id === "kit.entry")!.detail).toContain("manifestSha256");
    expect(statuses(kit, s.artifactSha256)).toContain("kit.inclusion pass");
  });

  test("an entry that is not canonical or not backup.completed fails kit.entry", () => {
    const s = sampleKit();
    expect(backupKitReport({ ...s.kit, entry: JSON.stringify(JSON.parse(s.kit.entry), null, 1) }, policy).failed).toBe(
      "kit.entry",
    );
    expect(backupKitReport({ ...s.kit, entry: `\uFEFF${s.kit.entry}` }, policy).failed).toBe("kit.entry");
    const started = kitOf(s.log, s.envelope, 3);
    expect(backupKitReport(started, policy).checks.find((c) => c.id === "kit.entry")!.detail).toContain(
      "backup.started, not backup.completed",
    );
  });

  test("a proof for another leaf fails kit.inclusion", () => {
    const s = sampleKit();
    expect(
      backupKitReport(kitOf(s.log, s.envelope, s.seq, { proofIndex: s.other.seq }), policy, s.artifactSha256).failed,
    ).toBe("kit.inclusion");
    // The right leaf index with another leaf's hashes does not reproduce the root either.
    const wrongPath = kitOf(s.log, s.envelope, s.seq, { proofIndex: s.other.seq });
    const proof = { ...(wrongPath.proof as object), leafIndex: s.seq };
    const r = backupKitReport({ ...wrongPath, proof }, policy, s.artifactSha256);
    expect(r.failed).toBe("kit.inclusion");
    expect(r.checks.at(-1)!.detail).toContain("root-mismatch");
  });

  test("a proof that does not parse fails kit.inclusion", () => {
    const s = sampleKit();
    expect(backupKitReport({ ...s.kit, proof: undefined }, policy).failed).toBe("kit.inclusion");
    expect(backupKitReport({ ...s.kit, proof: { ...(s.kit.proof as object), extra: 1 } }, policy).failed).toBe(
      "kit.inclusion",
    );
  });

  test("a checkpoint signed by an unpinned key fails kit.checkpoint, and inclusion is skipped", () => {
    const s = sampleKit();
    const kit = kitOf(s.log, s.envelope, s.seq, { checkpointSigner: testSigner("test.walwarden.dev/checkpoint", 5) });
    const r = backupKitReport(kit, policy, s.artifactSha256);
    expect(r.failed).toBe("kit.checkpoint");
    expect(r.checks.find((c) => c.id === "kit.checkpoint")!.detail).toMatch(/^unknown-key/);
    expect(statuses(kit, s.artifactSha256)).toEqual([
      ...IDS.slice(0, 3).map((id) => `${id} pass`),
      "kit.checkpoint fail",
      "kit.entry pass",
      "kit.inclusion skip",
    ]);
  });

  test("a checkpoint of another org's log fails kit.checkpoint, with or without a pinned origin", () => {
    const s = sampleKit();
    const other = "test.walwarden.dev/log/org_other";
    const kit = kitOf(s.log, s.envelope, s.seq, { origin: other });
    expect(backupKitReport(kit, policy, s.artifactSha256).failed).toBe("kit.checkpoint");
    expect(backupKitReport(kit, { ...policy, origin: ORIGIN }, s.artifactSha256).failed).toBe("kit.checkpoint");
    // Pinning the other org's origin does not help: the manifest is org_acme's.
    const pinnedOther = backupKitReport(kit, { ...policy, origin: other }, s.artifactSha256);
    expect(pinnedOther.failed).toBe("kit.checkpoint");
    expect(pinnedOther.checks.find((c) => c.id === "kit.checkpoint")!.detail).toContain(
      "is not the log of the manifest's org",
    );
    // Without a pinned origin any deployment's log of the org is accepted (the pinned key still decides);
    // pinning the origin refuses another deployment's.
    const elsewhere = kitOf(s.log, s.envelope, s.seq, { origin: "evil.example/log/org_acme" });
    expect(backupKitReport(elsewhere, policy, s.artifactSha256).verdict).toBe("verified");
    expect(backupKitReport(elsewhere, { ...policy, origin: ORIGIN }, s.artifactSha256).failed).toBe("kit.checkpoint");
  });

  test("a checkpoint smaller than the proof's tree fails kit.inclusion", () => {
    const s = sampleKit();
    const r = backupKitReport(
      kitOf(s.log, s.envelope, s.seq, { checkpointSize: s.log.size - 1 }),
      policy,
      s.artifactSha256,
    );
    expect(r.failed).toBe("kit.inclusion");
    expect(r.checks.at(-1)!.detail).toContain("the proof is for a tree of size 6, the checkpoint's is 5");
    // A proof and checkpoint at the same smaller size that still holds the entry verify.
    expect(
      backupKitReport(kitOf(s.log, s.envelope, s.seq, { proofSize: s.seq + 1 }), policy, s.artifactSha256).verdict,
    ).toBe("verified");
  });

  test("a manifest that is not JSON stops after the manifest check", () => {
    const s = sampleKit();
    const r = backupKitReport({ ...s.kit, envelope: undefined }, policy);
    expect(r.checks.map((c) => c.id)).toEqual(["manifest.malformed-envelope"]);
    expect(r.verdict).toBe("not-verified");
  });
});
