// Bundles under a witness policy (SPEC §13, check log.witnesses): a split view, built here as two histories
// both signed with the real checkpoint key, is caught by the customer's witness (its runner) and by a
// verifier that requires its cosignature; without the policy the forked bundle verifies, which is what
// the policy is for.
import { describe, expect, test } from "vitest";
import { fromUtf8, utf8 } from "../bytes/utf8.js";
import { cosignCheckpoint, formatCosignerVkey, formatVkey, parseSignedNote } from "../note/index.js";
import { buildFixtureLog, fixtureBundle, fixturePolicy, rezip, unzipBundle } from "../test-support/fixture-log.js";
import { RUNNER_SIGNER, testSigner } from "../test-support/keys.js";
import { type WitnessState, witnessStep } from "../witness/witness-step.js";
import { BundlePaths } from "./layout.js";
import { witnessKeysFromVkeys } from "./policy.js";
import { verifyBundle } from "./verify-bundle.js";

const SIZE = 60;
const honest = buildFixtureLog(SIZE, 1);
const forked = buildFixtureLog(SIZE, 2);
const WITNESS = witnessKeysFromVkeys([formatVkey(RUNNER_SIGNER.name, RUNNER_SIGNER.publicKey)]);
const witnesses = WITNESS.ok ? WITNESS.value : [];
const NOW_S = 1_765_000_000;

/** The bundle with its head checkpoint cosigned by `signer` (the index re-signed, as the Worker signs it). */
function cosignedBundle(zip: Uint8Array, signer: { name: string; secretKey: Uint8Array }): Uint8Array {
  const files = unzipBundle(zip);
  const note = fromUtf8(files.get(BundlePaths.checkpoint)!)!;
  const body = parseSignedNote(note);
  if (!body.ok) throw new Error(body.message);
  const line = cosignCheckpoint(body.value.text, signer, NOW_S);
  if (!line.ok) throw new Error(line.message);
  files.set(BundlePaths.checkpoint, utf8(note + line.value));
  return rezip(files, { resignIndex: true });
}

const verdict = async (zip: Uint8Array, extra = {}) => (await verifyBundle(zip, fixturePolicy(extra))).verdict;

describe("bundles under a witness policy", () => {
  test("a split view: the runner refuses the forked head, and the forked bundle fails the policy it would pass without", async () => {
    // The runner witnessed the honest log at its head.
    const seen: WitnessState = {
      origin: "test.walwarden.dev/log/org_acme",
      size: BigInt(SIZE),
      rootHash: honest.log.root(SIZE),
    };
    const forkedNote = fromUtf8(unzipBundle(fixtureBundle(forked, 0, SIZE)).get(BundlePaths.checkpoint)!)!;
    const policy = fixturePolicy();
    expect(witnessStep(seen, forkedNote, policy.checkpointKeys, seen.origin, [])).toMatchObject({
      ok: false,
      code: "fork",
    });
    // The auditor is handed the forked bundle: signed by the real keys, it verifies without a witness policy…
    const forkedZip = fixtureBundle(forked, 0, SIZE);
    expect(await verdict(forkedZip)).toBe("verified");
    // …and fails with one: the customer's runner never cosigned that history.
    const report = await verifyBundle(forkedZip, fixturePolicy({ witnesses }));
    expect(report.verdict).toBe("not-verified");
    expect(report.checks.find((c) => c.id === "log.witnesses")).toMatchObject({ status: "fail" });
    // The honest bundle, cosigned by the runner, verifies under the policy.
    const honestZip = cosignedBundle(fixtureBundle(honest, 0, SIZE), RUNNER_SIGNER);
    const ok = await verifyBundle(honestZip, fixturePolicy({ witnesses }));
    expect(ok.verdict).toBe("verified");
    expect(ok.checks.find((c) => c.id === "log.witnesses")?.detail).toBe(
      `${RUNNER_SIGNER.name} at ${new Date(NOW_S * 1000).toISOString()}`,
    );
  });

  test("a cosignature by another key under the witness's name fails; a quorum above the cosigners fails", async () => {
    const rogue = testSigner(RUNNER_SIGNER.name, 9);
    const forged = cosignedBundle(fixtureBundle(honest, 0, SIZE), rogue);
    expect(await verdict(forged, { witnesses })).toBe("not-verified");
    const other = testSigner("test.walwarden.dev/runner/rn_02", 7);
    const both = witnessKeysFromVkeys([
      formatVkey(RUNNER_SIGNER.name, RUNNER_SIGNER.publicKey),
      formatCosignerVkey(other.name, other.publicKey),
    ]);
    if (!both.ok) throw new Error(both.message);
    const once = cosignedBundle(fixtureBundle(honest, 0, SIZE), RUNNER_SIGNER);
    expect(await verdict(once, { witnesses: both.value, witnessQuorum: 1 })).toBe("verified");
    expect(await verdict(once, { witnesses: both.value, witnessQuorum: 2 })).toBe("not-verified");
    const twice = cosignedBundle(once, other);
    expect(await verdict(twice, { witnesses: both.value, witnessQuorum: 2 })).toBe("verified");
  });

  test("witness keys: a cosigner vkey or a runner's own vkey; anything else is refused", () => {
    const asCosigner = witnessKeysFromVkeys([formatCosignerVkey(RUNNER_SIGNER.name, RUNNER_SIGNER.publicKey)]);
    expect(asCosigner).toEqual(WITNESS);
    expect(witnessKeysFromVkeys(["garbage"])).toMatchObject({ ok: false, code: "bad-key" });
  });
});
