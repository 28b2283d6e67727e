import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { predicateFor, publishedKeysOf, signedKit } from "../../test/support/kit.js";
import type { ClaimedRestore } from "../api/restore-api.js";
import type { TrustedKeys } from "../keys/trusted-keys.js";
import { verifyClaim } from "./verify-claim.js";

const artifact = randomBytes(1000);
const kit = signedKit(artifact, predicateFor(artifact));
const published = publishedKeysOf();
const keys: TrustedKeys = {
  vkeys: [...published.checkpoint, ...published.manifest],
  origin: published.origin,
  source: "pinned",
};
const claim: ClaimedRestore = {
  restoreId: "rs_1",
  backupId: "bk_01",
  orgId: "org_acme",
  databaseId: "db_main",
  envelope: kit.envelope as ClaimedRestore["envelope"],
  entry: kit.entry,
  proof: kit.proof as ClaimedRestore["proof"],
  checkpoint: kit.checkpoint,
  download: { url: "https://s3.example/b/k", expiresAt: "2026-11-24T03:15:00.000Z", sizeBytes: artifact.length },
  progressToken: `wwp_${"a".repeat(43)}`,
};

describe("verifyClaim", () => {
  it("verifies the kit against the trusted keys, with and without the artifact's digest", () => {
    expect(verifyClaim(claim, keys, undefined)).toMatchObject({
      ok: true,
      value: { predicate: { backupId: "bk_01" } },
    });
    const full = verifyClaim(claim, keys, kit.sha256);
    expect(full.ok && full.value.report.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      "manifest.signature:pass",
      "manifest.predicate:pass",
      "manifest.artifact:pass",
      "kit.checkpoint:pass",
      "kit.entry:pass",
      "kit.inclusion:pass",
    ]);
  });

  it("refuses a manifest that is not for the claimed backup, database or size", () => {
    const r = verifyClaim(
      { ...claim, backupId: "bk_99", databaseId: "db_other", download: { ...claim.download, sizeBytes: 5 } },
      keys,
      kit.sha256,
    );
    expect(r).toMatchObject({ ok: false, code: "verify" });
    expect(!r.ok && r.message).toBe(
      "the signed manifest does not match the claim: it is for backup bk_01, not the claimed bk_99, database db_main, not the claimed db_other, 1000 bytes, not the 5 the Worker announced",
    );
  });

  it("pins the org's log origin: a checkpoint of another deployment's log fails", () => {
    const r = verifyClaim(claim, { ...keys, origin: "elsewhere.example/log" }, kit.sha256);
    expect(!r.ok && r.message).toContain("kit.checkpoint: wrong-origin");
  });
});
