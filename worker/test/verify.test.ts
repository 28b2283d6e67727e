import { describe, expect, it } from "vitest";
import { signManifest, toBase64 } from "@walwarden/verifier";
import {
  MANIFEST_SIGNER,
  ROGUE_MANIFEST_SIGNER,
  buildFixtureLog,
  fixtureBundle,
  rezip,
  unzipBundle,
} from "@walwarden/verifier/testing";
import { ARTIFACT_SHA256, backupResult } from "./support/backup-result.js";
import { call } from "./support/client.js";

const predicate = {
  ...backupResult("rnr_1"),
  backupId: "bkp_1",
  orgId: "org_1",
  databaseId: "db_1",
  jobId: "job_1",
} as Parameters<typeof signManifest>[0];
const verify = (json: unknown, ip = "203.0.113.7") =>
  call("POST", "/v1/verify", { json, headers: { "cf-connecting-ip": ip } });

describe("public verify endpoint", () => {
  it("verifies a manifest signed by a published key, with and without the artifact digest, with no auth", async () => {
    const envelope = signManifest(predicate, ARTIFACT_SHA256, MANIFEST_SIGNER);
    const withDigest = await verify({ envelope, artifactSha256: ARTIFACT_SHA256 });
    expect(withDigest.status).toBe(200);
    expect(withDigest.body.verdict).toBe("verified");
    expect(withDigest.body.checks.map((c: { status: string }) => c.status)).toEqual(["pass", "pass", "pass"]);
    const without = await verify({ envelope });
    expect(without.body.checks.at(-1)).toMatchObject({ id: "manifest.artifact", status: "skip" });
  });

  it("rejects a wrong digest, a tampered payload, and a key that is not published", async () => {
    const envelope = signManifest(predicate, ARTIFACT_SHA256, MANIFEST_SIGNER);
    expect((await verify({ envelope, artifactSha256: "0".repeat(64) })).body).toMatchObject({
      verdict: "not-verified",
      failed: "manifest.digest-mismatch",
    });
    const payload = new TextEncoder().encode(atob(envelope.payload).replace("acme-backups", "evil-backups"));
    expect((await verify({ envelope: { ...envelope, payload: toBase64(payload) } })).body).toMatchObject({
      verdict: "not-verified",
      failed: "manifest.bad-signature",
    });
    const rogue = signManifest(predicate, ARTIFACT_SHA256, ROGUE_MANIFEST_SIGNER);
    expect((await verify({ envelope: rogue })).body.verdict).toBe("not-verified");
  });

  it("verifies an evidence bundle sent as application/zip, and rejects one with a file changed after signing", async () => {
    const log = buildFixtureLog(40, 7);
    const zip = fixtureBundle(log, 0, 40);
    const ok = await call("POST", "/v1/verify", {
      body: zip,
      headers: { "content-type": "application/zip", "cf-connecting-ip": "203.0.113.8" },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.verdict).toBe("verified");
    const files = unzipBundle(zip);
    files.set("manifests.jsonl", new TextEncoder().encode(""));
    const forged = rezip(files);
    const bad = await call("POST", "/v1/verify", {
      body: forged,
      headers: { "content-type": "application/zip", "cf-connecting-ip": "203.0.113.8" },
    });
    expect(bad.body).toMatchObject({ verdict: "not-verified", failed: expect.stringMatching(/^index/) });
  });

  it("answers bad input with a 400 that says what is wrong", async () => {
    const r = await verify({ envelope: { payload: "x" } }, "203.0.113.9");
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/envelope/);
    const text = await call("POST", "/v1/verify", {
      body: "hello",
      headers: { "content-type": "text/plain", "cf-connecting-ip": "203.0.113.9" },
    });
    expect(text.status).toBe(415);
  });

  it("is rate-limited per client address", async () => {
    const envelope = signManifest(predicate, ARTIFACT_SHA256, MANIFEST_SIGNER);
    const statuses = [];
    for (let i = 0; i < 31; i++) statuses.push((await verify({ envelope }, "198.51.100.1")).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
    expect((await verify({ envelope }, "198.51.100.2")).status).toBe(200);
  });

  it("publishes the keys as vkeys whose names carry their role", async () => {
    const keys = (await call("GET", "/.well-known/walwarden/keys")).body;
    expect(keys.origin).toBe("test.walwarden.dev/log");
    expect(keys.checkpoint[0]).toMatch(/^test\.walwarden\.dev\/checkpoint\+[0-9a-f]{8}\+/);
    expect(keys.manifest[0]).toMatch(/^test\.walwarden\.dev\/manifest\+[0-9a-f]{8}\+/);
  });
});
