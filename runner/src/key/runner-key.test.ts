import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromBase64, runnerKeyProofMessage, toBase64, verify } from "@walwarden/verifier";
import { describe, expect, it } from "vitest";
import { keyRegistration, loadOrCreateRunnerKey, RUNNER_KEY_FILE } from "./runner-key.js";

describe("the runner key file", () => {
  it("is made once (mode 0600, no temp file left) and read back the same after", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "ww-key-")), "state");
    const made = await loadOrCreateRunnerKey(dir);
    expect(made.ok && made.value.created).toBe(true);
    expect(statSync(join(dir, RUNNER_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([RUNNER_KEY_FILE]);
    const again = await loadOrCreateRunnerKey(dir);
    expect(again.ok && again.value.created).toBe(false);
    expect(again.ok && made.ok && toBase64(again.value.publicKey)).toBe(made.ok && toBase64(made.value.publicKey));
  });

  it("refuses a file that is not a key, or whose public key is not its seed's, instead of replacing it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-key-"));
    writeFileSync(join(dir, RUNNER_KEY_FILE), "{");
    const broken = await loadOrCreateRunnerKey(dir);
    expect(!broken.ok && broken.message).toMatch(/is not a runner key file/);
    expect(readFileSync(join(dir, RUNNER_KEY_FILE), "utf8")).toBe("{");
    const other = mkdtempSync(join(tmpdir(), "ww-key-"));
    await loadOrCreateRunnerKey(other);
    const text = JSON.parse(readFileSync(join(other, RUNNER_KEY_FILE), "utf8"));
    writeFileSync(join(other, RUNNER_KEY_FILE), JSON.stringify({ ...text, publicKey: toBase64(new Uint8Array(32)) }));
    const edited = await loadOrCreateRunnerKey(other);
    expect(!edited.ok && edited.message).toMatch(/not its seed's/);
  });

  it("registers with a proof: an Ed25519 signature over runnerKeyProofMessage that verifies with the key", async () => {
    const key = await loadOrCreateRunnerKey(mkdtempSync(join(tmpdir(), "ww-key-")));
    if (!key.ok) throw new Error(key.message);
    const body = keyRegistration(key.value);
    expect(body.publicKey).toBe(toBase64(key.value.publicKey));
    expect(verify(fromBase64(body.proof)!, runnerKeyProofMessage(body.publicKey), key.value.publicKey)).toBe(true);
  });
});
