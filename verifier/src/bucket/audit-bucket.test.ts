// The walk-away audit (SPEC §13) over copies of a prefix held in memory: the honest bucket verifies; a
// forked anchored checkpoint (a split view signed with the real key, and a fork at a size a kit was proven
// in), a dump without its kit, a gap or a reset in the chain, a kit whose checkpoint nobody anchored, a
// refusal record, and missing cosignatures each fail the check that says so.
import { describe, expect, test } from "vitest";
import { utf8 } from "../bytes/utf8.js";
import { cosignerOf, signCheckpoint } from "../note/index.js";
import { bucketFixture, cosigned, grownLog, memoryCopy, writeAnchors, writeKitFiles } from "../test-support/bucket.js";
import { checkpointAt, fixturePolicy, ORIGIN } from "../test-support/fixture-log.js";
import { RUNNER_SIGNER, testSigner } from "../test-support/keys.js";
import { kitOf, sampleKit } from "../test-support/kit.js";
import { encodeAnchorProof, encodeWitnessRefusal } from "./anchor-layout.js";
import { auditBucket, type BucketReport } from "./audit-bucket.js";

const policy = fixturePolicy();
const RUNNER_WITNESS = cosignerOf(RUNNER_SIGNER);
const statusOf = (r: BucketReport, id: string) => r.checks.find((c) => c.id === id)?.status;
const detailOf = (r: BucketReport, id: string) => r.checks.find((c) => c.id === id)?.detail ?? "";
const audit = (files: Map<string, Uint8Array>, p = policy, noArtifact = false) =>
  auditBucket(memoryCopy(files, noArtifact), p);

describe("auditBucket", () => {
  test("the honest bucket verifies: both kits, the chain 5 → 6 → 8, each kit's checkpoint anchored, both dumps", async () => {
    const { files } = bucketFixture();
    const r = await audit(files);
    expect(r.verdict, JSON.stringify(r.checks, null, 2)).toBe("verified");
    expect(r.checks.map((c) => `${c.id} ${c.status}`)).toEqual([
      "bucket.files pass",
      "bucket.kits pass",
      "bucket.chain.rn_01 pass",
      "bucket.kit-checkpoints pass",
      "bucket.witness-refusals pass",
      "bucket.objects pass",
    ]);
    expect(r.chains).toEqual([
      {
        runnerId: "rn_01",
        anchored: ["5", "6", "8"],
        problems: [],
        notes: ["starts at 5, the first checkpoint the runner accepted (trust on first use)"],
      },
    ]);
    expect(r.kits.map((k) => [k.backupId, k.checkpointSize, k.verdict])).toEqual([
      ["bk_01", "6", "verified"],
      ["bk_02", "8", "verified"],
    ]);
    // The dumps were hashed (the artifact check passed); with noArtifact it is skipped, and still verifies.
    expect(r.kits[0]!.checks.find((c) => c.id === "manifest.artifact")?.status).toBe("pass");
    const light = await audit(files, policy, true);
    expect(light.verdict).toBe("verified");
    expect(detailOf(light, "bucket.kits")).toContain("2 checked without the dump");
    expect(detailOf(r, "bucket.objects")).toContain('prefix "walwarden"');
    // The runner's cosignatures required: every kit's and every anchored checkpoint carries them.
    const witnessed = await audit(files, { ...policy, witnesses: [RUNNER_WITNESS], witnessQuorum: 1 });
    expect(witnessed.verdict).toBe("verified");
    expect(witnessed.kits[0]!.checks.map((c) => c.id)).toContain("kit.witnesses");
  });

  test("a forked anchored checkpoint fails the chain: a split view signed with the real key, not proven to extend the one before", async () => {
    const { files, log } = bucketFixture();
    // Branch b differs from seq 3: its checkpoint of 8 is signed with the real key, but 6 → 8 cannot be proven.
    const b = grownLog(2, "b", 3);
    writeAnchors(files, "rn_01", log, [8], { from: 6, logs: { 8: b } });
    const r = await audit(files);
    expect(r.verdict).toBe("not-verified");
    expect(statusOf(r, "bucket.chain.rn_01")).toBe("fail");
    expect(detailOf(r, "bucket.chain.rn_01")).toMatch(/8\.txt is not proven to extend 6\.txt .*a fork or a split view/);
    // And bk_02's kit was proven in a tree of 8 with another root than the one anchored: a fork there too.
    expect(statusOf(r, "bucket.kit-checkpoints")).toBe("fail");
    expect(detailOf(r, "bucket.kit-checkpoints")).toContain("another root than the one anchored at size 8");
  });

  test("a fork after the last common checkpoint: the chain holds (it is consistent), but the kit proven in the other branch fails", async () => {
    const { files, log } = bucketFixture();
    const b = grownLog(2, "b", 7);
    writeAnchors(files, "rn_01", log, [8], { from: 6, logs: { 8: b } });
    const r = await audit(files);
    expect(statusOf(r, "bucket.chain.rn_01")).toBe("pass");
    expect(statusOf(r, "bucket.kit-checkpoints")).toBe("fail");
    expect(r.failed).toBe("bucket.kit-checkpoints");
  });

  test("a dump without its kit fails bucket.objects; a kit whose manifest is forged or names another object too", async () => {
    const { files, dumps } = bucketFixture();
    files.set("db_main/2026/11/25/bk_03.dump.zst", utf8("a dump nobody signed"));
    const r = await audit(files);
    expect(r.verdict).toBe("not-verified");
    expect(r.failed).toBe("bucket.objects");
    expect(detailOf(r, "bucket.objects")).toContain("db_main/2026/11/25/bk_03.dump.zst: no kit");
    expect(r.objects.find((o) => o.path === "db_main/2026/11/25/bk_03.dump.zst")?.manifest).toBeNull();

    // A kit whose manifest was signed by a key nobody pinned names nothing.
    const rogue = sampleKit(testSigner("test.walwarden.dev/manifest", 3));
    const forged = bucketFixture();
    writeKitFiles(forged.files, rogue.predicate.s3.key, rogue.kit);
    const f = await audit(forged.files);
    expect(statusOf(f, "bucket.objects")).toBe("fail");
    expect(detailOf(f, "bucket.objects")).toContain(
      `${dumps[0]}: db_main/2026/11/24/bk_01.manifest.json does not verify`,
    );

    // A kit moved to another folder: its manifest names an object that is not where it lies.
    const moved = bucketFixture();
    for (const [p, b] of [...moved.files])
      if (p.startsWith("db_main/2026/11/24/bk_02.")) {
        moved.files.delete(p);
        moved.files.set(p.replace("/24/", "/23/"), b);
      }
    const m = await audit(moved.files);
    expect(detailOf(m, "bucket.objects")).toContain("which is not its place in this copy");
  });

  test("a kit without its proof file fails bucket.kits; its dump is then named by no verified kit", async () => {
    const { files } = bucketFixture();
    files.delete("db_main/2026/11/24/bk_01.proof.json");
    const r = await audit(files);
    expect(statusOf(r, "bucket.kits")).toBe("fail");
    expect(detailOf(r, "bucket.kits")).toContain("kit.files: missing: db_main/2026/11/24/bk_01.proof.json");
  });

  test("a gap (an anchor deleted) and a reset witness state fail the chain", async () => {
    const gap = bucketFixture();
    gap.files.delete("checkpoints/rn_01/6.txt");
    gap.files.delete("checkpoints/rn_01/6.proof.json");
    const g = await audit(gap.files);
    expect(detailOf(g, "bucket.chain.rn_01")).toContain(
      "8.proof.json is from size 6, but the previous anchored checkpoint is 5: a gap",
    );
    // bk_01's checkpoint (6) is no longer anchored: it cannot be proven consistent offline.
    expect(detailOf(g, "bucket.kit-checkpoints")).toContain("(size 6) is not anchored");

    const reset = bucketFixture();
    writeAnchors(reset.files, "rn_01", reset.log, [8], { from: 0 });
    const r = await audit(reset.files);
    expect(detailOf(r, "bucket.chain.rn_01")).toContain("from size 0 after 6: the runner's witness state was reset");
  });

  test("a chain may start from a size not anchored (a state older than anchoring); a wrong proof file fails", async () => {
    const { files, log } = bucketFixture();
    for (const p of [...files.keys()]) if (p.startsWith("checkpoints/")) files.delete(p);
    writeAnchors(files, "rn_01", log, [6, 8], { from: 3 });
    const r = await audit(files);
    expect(statusOf(r, "bucket.chain.rn_01")).toBe("pass");
    expect(r.chains[0]!.notes[0]).toContain(
      "proven from size 3, which is not anchored: that link cannot be checked offline",
    );
    // A proof file to another size, a note of another size under a name, no proof at all.
    files.set("checkpoints/rn_01/8.proof.json", utf8(encodeAnchorProof(6n, 7n, log.consistencyProof(6, 7))));
    files.set("checkpoints/rn_01/7.txt", utf8(cosigned(checkpointAt(log, 6))));
    const bad = await audit(files);
    const detail = detailOf(bad, "bucket.chain.rn_01");
    expect(detail).toContain("8.proof.json is a proof to size 7");
    expect(detail).toContain("7.txt is a checkpoint of size 6");
    expect(detail).toContain("7.txt has no 7.proof.json");
  });

  test("latest.txt must be one of the anchored checkpoints; an older one is said, not failed", async () => {
    const { files, log } = bucketFixture();
    files.set("checkpoints/rn_01/latest.txt", utf8(cosigned(checkpointAt(log, 6))));
    const older = await audit(files);
    expect(statusOf(older, "bucket.chain.rn_01")).toBe("pass");
    expect(older.chains[0]!.notes.join(" ")).toContain("latest.txt is 6, older than the newest anchored (8)");
    files.set("checkpoints/rn_01/latest.txt", utf8(cosigned(checkpointAt(log, 7))));
    expect(detailOf(await audit(files), "bucket.chain.rn_01")).toContain(
      "latest.txt (size 7) is not one of the anchored",
    );
  });

  test("anchors signed with another key, or for another log, fail; so does a bucket with no anchors at all", async () => {
    const rogue = bucketFixture();
    const other = testSigner("test.walwarden.dev/checkpoint", 9);
    const forged = signCheckpoint({ origin: ORIGIN, size: 6, rootHash: rogue.log.root(6) }, other);
    if (!forged.ok) throw new Error(forged.message);
    rogue.files.set("checkpoints/rn_01/6.txt", utf8(cosigned(forged.value)));
    expect(detailOf(await audit(rogue.files), "bucket.chain.rn_01")).toContain("6.txt: unknown-key");
    const pinned = bucketFixture();
    const r = await audit(pinned.files, { ...policy, origin: "test.walwarden.dev/log/org_other" });
    expect(statusOf(r, "bucket.chain.rn_01")).toBe("fail");

    const none = bucketFixture();
    for (const p of [...none.files.keys()]) if (p.startsWith("checkpoints/")) none.files.delete(p);
    const n = await audit(none.files);
    expect(statusOf(n, "bucket.chain")).toBe("fail");
    expect(detailOf(n, "bucket.kit-checkpoints")).toContain("is not anchored");
    // An empty directory is not a copy of a prefix.
    const empty = await audit(new Map());
    expect(empty.failed).toBe("bucket.files");
  });

  test("a refusal record fails bucket.witness-refusals, naming its code", async () => {
    const { files } = bucketFixture();
    files.set(
      "db_main/2026/11/24/bk_01.witness-refused.json",
      utf8(
        encodeWitnessRefusal({
          v: 1,
          at: "2026-11-24T03:01:11.000Z",
          code: "fork",
          message: "two roots for size 6: the accepted one and this checkpoint's",
          acceptedSize: "6",
          size: "6",
          proof: [],
        }),
      ),
    );
    const r = await audit(files);
    expect(r.failed).toBe("bucket.witness-refusals");
    expect(detailOf(r, "bucket.witness-refusals")).toContain("fork of size 6 (accepted 6)");
  });

  test("with the runner's cosignature required, a kit or an anchor without it fails", async () => {
    const { files, log } = bucketFixture();
    const s = sampleKit();
    writeKitFiles(files, s.predicate.s3.key, kitOf(log, s.envelope, s.seq, { proofSize: 6 }), s.artifact);
    const strict = { ...policy, witnesses: [RUNNER_WITNESS], witnessQuorum: 1 };
    expect((await audit(files)).verdict).toBe("verified");
    const r = await audit(files, strict);
    expect(detailOf(r, "bucket.kits")).toMatch(/bk_01\.manifest\.json: kit\.witnesses: quorum/);
    const anchors = bucketFixture();
    anchors.files.set("checkpoints/rn_01/5.txt", utf8(checkpointAt(anchors.log, 5)));
    const a = await audit(anchors.files, strict);
    expect(detailOf(a, "bucket.chain.rn_01")).toContain("5.txt: quorum");
  });

  test("two runners' chains agree where they meet; two roots at one size fail bucket.chains-agree", async () => {
    const { files, log } = bucketFixture();
    const rn2 = testSigner("test.walwarden.dev/runner/rn_02", 6);
    writeAnchors(files, "rn_02", log, [6, 7], { witness: rn2 });
    const r = await audit(files);
    expect(r.verdict).toBe("verified");
    expect(detailOf(r, "bucket.chains-agree")).toContain("1 size anchored by more than one");
    const b = grownLog(2, "b", 6);
    writeAnchors(files, "rn_02", b, [8], { from: 7, witness: rn2 });
    const forked = await audit(files);
    expect(statusOf(forked, "bucket.chains-agree")).toBe("fail");
    expect(detailOf(forked, "bucket.chains-agree")).toContain("size 8: rn_01 and rn_02 anchored different roots");
  });

  test("the origin of the anchors must be the kits' org's log", async () => {
    const { files, log } = bucketFixture();
    for (const p of [...files.keys()]) if (p.startsWith("checkpoints/")) files.delete(p);
    writeAnchors(files, "rn_01", log, [6, 8]);
    // Re-sign the chain's notes for another org's log: the kits (org_acme) cannot be in it.
    for (const size of [6, 8])
      files.set(
        `checkpoints/rn_01/${size}.txt`,
        utf8(cosigned(checkpointAt(log, size, ORIGIN.replace("org_acme", "org_other")))),
      );
    const r = await audit(files);
    expect(detailOf(r, "bucket.chain.rn_01")).toContain("not the log of the kits' org org_acme");
  });
});
