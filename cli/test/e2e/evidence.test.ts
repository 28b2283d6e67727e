// An evidence bundle end to end, through real parts only: a backup made by the real runner and a restore
// run by the real `walwarden` program (the Worker under wrangler dev, s3rver, PostgreSQL 15), exported by
// an auditor's viewer token with POST /v1/evidence, written to disk and checked offline by the verifier's
// own command line (walwarden-verify, and walwarden verify, which runs it), pinned to the published keys.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BundlePaths, readBundle, zipBundleFiles } from "@walwarden/verifier";
import { apiCall, publishedKeys } from "@walwarden/testing/api";
import { ROOT } from "@walwarden/testing/runner-parts";
import { runCli, startRestoreParts, type RestoreParts } from "@walwarden/testing/restore-parts";

const VERIFY_BIN = join(ROOT, "verifier/bin/walwarden-verify.js");
const run = promisify(execFile);

let parts: RestoreParts;
let keyArgs: string[];
let origin: string;
let viewerToken: string;
let restoreId: string;
const dir = mkdtempSync(join(tmpdir(), "ww-evidence-"));

/** walwarden-verify run as an auditor would, with node; exit code and output. */
async function verifyCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [VERIFY_BIN, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

beforeAll(async () => {
  parts = await startRestoreParts();
  const keys = await publishedKeys(parts.dev);
  keyArgs = [...keys.checkpoint, ...keys.manifest].flatMap((k) => ["--key", k]);
  origin = `${keys.origin}/${parts.orgId}`;
  viewerToken = (
    await apiCall<{ token: string }>(parts.dev, "POST", "/v1/tokens", {
      cookie: parts.cookie,
      body: { name: "auditor", role: "viewer" },
    })
  ).token;
  const target = await parts.target("restore_for_evidence");
  const issued = await parts.issue();
  restoreId = issued.restoreId;
  const r = await runCli([
    "restore",
    "--api",
    parts.dev.url,
    "--org",
    parts.orgId,
    "--token",
    issued.token,
    "--target",
    target.url,
    ...keyArgs,
  ]);
  if (r.code !== 0) throw new Error(`restore failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
}, 300_000);
afterAll(async () => parts?.stop());

describe("an exported evidence bundle, verified offline", () => {
  it("holds the runner's backup and the CLI's restore, and passes walwarden-verify bundle and walwarden verify bundle", async () => {
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const res = await fetch(`${parts.dev.url}/v1/evidence`, {
      method: "POST",
      headers: { authorization: `Bearer ${viewerToken}`, "content-type": "application/json" },
      body: JSON.stringify({ from, to: new Date(Date.now() + 60_000).toISOString() }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(
      new RegExp(
        `^attachment; filename="walwarden-evidence-${parts.orgId}-${from.replace(/[-:]/g, "")}-\\d{8}T\\d{6}\\.\\d{3}Z\\.zip"$`,
      ),
    );
    const zip = new Uint8Array(await res.arrayBuffer());
    const file = join(dir, "evidence.zip");
    writeFileSync(file, zip);

    const verified = await verifyCli(["bundle", file, ...keyArgs, "--origin", origin]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/VERIFIED\n$/);
    expect(verified.stdout).toContain("ok    Manifests match their log entries and verify: 1 manifest(s) verified");
    const viaCli = await runCli(["verify", "bundle", file, ...keyArgs, "--origin", origin]);
    expect(viaCli.code, viaCli.stdout + viaCli.stderr).toBe(0);

    const files = readBundle(zip);
    if (!files.ok) throw new Error(files.message);
    const text = (p: string) => new TextDecoder().decode(files.value.get(p)!);
    expect(text(BundlePaths.manifests).trim().split("\n")).toHaveLength(1);
    expect(text(BundlePaths.entries)).toContain(`"backupId":"${parts.backupId}"`);
    const restores = text(BundlePaths.restores)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(restores).toEqual([expect.objectContaining({ restoreId, backupId: parts.backupId })]);
    expect(restores[0].transitions.map((t: { state: string }) => t.state)).toEqual([
      "issued",
      "claimed",
      "downloading",
      "verifying",
      "restoring",
      "completed",
    ]);
    expect(text(BundlePaths.report)).toMatch(
      new RegExp(`<tr><td>${restoreId}</td><td>${parts.backupId}</td><td>completed</td>`),
    );

    // Another origin (another org's log) is refused, and so is a report an attacker rewrote.
    const wrongOrigin = await verifyCli(["bundle", file, ...keyArgs, "--origin", `${origin}x`]);
    expect(wrongOrigin.code).toBe(1);
    const changed = new Map(files.value);
    changed.set(BundlePaths.report, new TextEncoder().encode(text(BundlePaths.report).replace("completed", "failed")));
    writeFileSync(join(dir, "tampered.zip"), zipBundleFiles(changed));
    const tampered = await verifyCli(["bundle", join(dir, "tampered.zip"), ...keyArgs, "--origin", origin]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/NOT VERIFIED: check index\.files failed/);
  });
});
