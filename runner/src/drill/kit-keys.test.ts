import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatVkey } from "@walwarden/verifier";
import { CHECKPOINT_SIGNER, MANIFEST_SIGNER, ROGUE_MANIFEST_SIGNER } from "@walwarden/verifier/testing";
import { describe, expect, it } from "vitest";
import { kitKeys, PINNED_KEYS_FILE } from "./kit-keys.js";

const published = {
  origin: "test.walwarden.dev/log",
  checkpoint: [formatVkey(CHECKPOINT_SIGNER.name, CHECKPOINT_SIGNER.publicKey)],
  manifest: [formatVkey(MANIFEST_SIGNER.name, MANIFEST_SIGNER.publicKey)],
};
const api = "https://api.example";

describe("kit keys", () => {
  it("pins the published keys on first use, uses the pinned ones after, and refuses a change or another API", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "ww-kit-keys-"));
    const first = await kitKeys({ trustedKeys: [], stateDir, api, orgId: "org_acme" }, async () => published);
    expect(first.ok && first.value.source).toBe("first-use");
    expect(first.ok && first.value.policy.origin).toBe("test.walwarden.dev/log/org_acme");
    expect(JSON.parse(readFileSync(join(stateDir, PINNED_KEYS_FILE), "utf8"))).toMatchObject({ api, ...published });
    const again = await kitKeys({ trustedKeys: [], stateDir, api, orgId: "org_acme" }, async () => published);
    expect(again.ok && again.value.source).toBe("pinned");
    const rotated = {
      ...published,
      manifest: [formatVkey(ROGUE_MANIFEST_SIGNER.name, ROGUE_MANIFEST_SIGNER.publicKey)],
    };
    const changed = await kitKeys({ trustedKeys: [], stateDir, api, orgId: "org_acme" }, async () => rotated);
    expect(!changed.ok && changed.code).toBe("keys-changed");
    const moved = await kitKeys(
      { trustedKeys: [], stateDir, api: "https://other.example", orgId: "org_acme" },
      async () => published,
    );
    expect(!moved.ok && moved.message).toMatch(/pins the keys of https:\/\/api\.example/);
  });

  it("uses drills.trustedKeys without fetching or pinning anything; an unreachable API is a retryable refusal", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "ww-kit-keys-"));
    const unreachable = async () => {
      throw new Error("ECONNREFUSED");
    };
    const configured = await kitKeys(
      { trustedKeys: [...published.checkpoint, ...published.manifest], stateDir, api, orgId: "org_acme" },
      unreachable,
    );
    expect(configured.ok && configured.value.source).toBe("config");
    expect(configured.ok && configured.value.policy.manifestKeys).toHaveLength(1);
    const down = await kitKeys({ trustedKeys: [], stateDir, api, orgId: "org_acme" }, unreachable);
    expect(!down.ok && down.code).toBe("keys-unavailable");
  });
});
