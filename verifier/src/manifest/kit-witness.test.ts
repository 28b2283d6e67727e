// `kit.witnesses` (SPEC §10 "Witnessed kits"): with pinned witnesses, a kit's checkpoint must carry their
// cosignatures; without them nothing changes; a forged line under the runner's name fails.
import { describe, expect, test } from "vitest";
import { cosignerOf } from "../note/index.js";
import { cosigned } from "../test-support/bucket.js";
import { fixturePolicy } from "../test-support/fixture-log.js";
import { RUNNER_SIGNER, testSigner } from "../test-support/keys.js";
import { sampleKit } from "../test-support/kit.js";
import { backupKitReport } from "./kit-report.js";

const witness = cosignerOf(RUNNER_SIGNER);
const strict = fixturePolicy({ witnesses: [witness], witnessQuorum: 1 });
const check = (r: ReturnType<typeof backupKitReport>) => r.checks.find((c) => c.id === "kit.witnesses");

describe("kit.witnesses", () => {
  test("a kit the runner cosigned verifies with its key required, right after kit.checkpoint", () => {
    const s = sampleKit();
    const kit = { ...s.kit, checkpoint: cosigned(s.kit.checkpoint) };
    const r = backupKitReport(kit, strict, s.artifactSha256);
    expect(r.verdict).toBe("verified");
    const ids = r.checks.map((c) => c.id);
    expect(ids.indexOf("kit.witnesses")).toBe(ids.indexOf("kit.checkpoint") + 1);
    expect(check(r)?.detail).toBe(`${RUNNER_SIGNER.name} at 2025-12-06T05:46:40.000Z`);
    // Without pinned witnesses there is no such check, and the cosignature is ignored.
    expect(check(backupKitReport(kit, fixturePolicy()))).toBeUndefined();
  });

  test("an uncosigned kit, a forged line under the runner's name, or a quorum of 2 fail it", () => {
    const s = sampleKit();
    expect(check(backupKitReport(s.kit, strict))).toMatchObject({ status: "fail" });
    const rogue = testSigner(RUNNER_SIGNER.name, 9);
    const forged = { ...s.kit, checkpoint: cosigned(s.kit.checkpoint, rogue) };
    expect(check(backupKitReport(forged, strict))?.detail).toMatch(/^quorum/);
    const other = cosignerOf(testSigner("witness.example/w1", 4));
    const two = fixturePolicy({ witnesses: [witness, other], witnessQuorum: 2 });
    const one = { ...s.kit, checkpoint: cosigned(s.kit.checkpoint) };
    expect(backupKitReport(one, two).failed).toBe("kit.witnesses");
    const both = { ...s.kit, checkpoint: cosigned(one.checkpoint, testSigner("witness.example/w1", 4)) };
    expect(backupKitReport(both, two).verdict).toBe("verified");
  });

  test("skipped when the checkpoint does not verify", () => {
    const s = sampleKit();
    const r = backupKitReport({ ...s.kit, checkpoint: "not a note" }, strict);
    expect(check(r)?.status).toBe("skip");
    expect(r.failed).toBe("kit.checkpoint");
  });
});
