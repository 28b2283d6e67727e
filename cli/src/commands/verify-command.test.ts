// `walwarden verify` runs walwarden-verify: a walk-away kit on disk verifies with --key, and with
// --api standing for the keys pinned for that API; a kit signed by another key does not.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEPLOYMENT, predicateFor, publishedKeysOf, signedKit, signer } from "../../test/support/kit.js";
import { main } from "../bin/walwarden.js";
import { bufferIo } from "../io.js";
import { writePinned } from "../keys/key-store.js";

/** Writes a kit and its artifact the way the runner lays them out next to each other. */
function writeKit(d = DEPLOYMENT) {
  const dir = mkdtempSync(join(tmpdir(), "ww-cli-kit-"));
  const artifact = randomBytes(4096);
  const kit = signedKit(
    artifact,
    predicateFor(artifact, {
      s3: { ...predicateFor(artifact).s3, key: "walwarden/db_main/2026/11/24/bk_01.dump.zst" },
    }),
    d,
  );
  writeFileSync(join(dir, "bk_01.manifest.json"), JSON.stringify(kit.envelope));
  writeFileSync(join(dir, "bk_01.entry.json"), kit.entry);
  writeFileSync(join(dir, "bk_01.proof.json"), JSON.stringify(kit.proof));
  writeFileSync(join(dir, "bk_01.checkpoint.txt"), kit.checkpoint);
  writeFileSync(join(dir, "bk_01.dump.zst"), artifact);
  return join(dir, "bk_01.manifest.json");
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = bufferIo();
  const code = await main(args, { io, env });
  return { code, out: io.out, err: io.err };
}

const keyArgs = () => {
  const k = publishedKeysOf();
  return [...k.checkpoint, ...k.manifest].flatMap((v) => ["--key", v]);
};

describe("walwarden verify", () => {
  it("verifies a walk-away kit with --key", async () => {
    const r = await run(["verify", "kit", writeKit(), ...keyArgs()]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("ok    Artifact matches the signed SHA-256");
    expect(r.out).toMatch(/VERIFIED\n$/);
  });

  it("--api URL uses the keys pinned for that API", async () => {
    const config = mkdtempSync(join(tmpdir(), "ww-cli-config-"));
    mkdirSync(config, { recursive: true });
    await writePinned(config, "https://api.walwarden.example", {
      ...publishedKeysOf(),
      pinnedAt: "2026-11-24T00:00:00.000Z",
    });
    const r = await run(["verify", "kit", writeKit(), "--api", "https://api.walwarden.example", "--json"], {
      WALWARDEN_CONFIG_DIR: config,
    });
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ verdict: "verified" });
  });

  it("a kit signed by another deployment's keys is NOT VERIFIED (exit 1)", async () => {
    const other = {
      origin: "walwarden.test/log",
      checkpoint: signer("walwarden.test/checkpoint", 21),
      manifest: signer("walwarden.test/manifest", 22),
    };
    const r = await run(["verify", "kit", writeKit(other), ...keyArgs()]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("NOT VERIFIED: check manifest.unknown-key failed");
  });
});
