// CI runs the README's first command with --once: the whole product on the embedded local default, then
// the files it promises. Also: a busy port and a bad flag get a message that says how to fix them.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseVkey, policyFromVkeys, verifyBundle } from "@walwarden/verifier";

const ROOT = resolve(import.meta.dirname, "..");

function demo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, "scripts/demo.mjs"), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

describe("npm run demo", () => {
  it("--once runs the whole flow and leaves a verifiable evidence.zip and keys.txt", async () => {
    const { server, port } = await listening();
    await new Promise<void>((r) => server.close(() => r()));
    const out = mkdtempSync(join(tmpdir(), "ww-demo-"));
    const r = await demo(["--once", "--port", String(port), "--out", out]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const step of [
      "Backing up",
      "restore rs_",
      "completed",
      "VERIFIED",
      `Dashboard   http://127.0.0.1:${port}/`,
      "admin@demo.walwarden.local",
    ])
      expect(r.stdout).toContain(step);
    const keys = readFileSync(join(out, "keys.txt"), "utf8").trim().split("\n");
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const k of keys) expect(parseVkey(k).ok).toBe(true);
    expect(existsSync(join(out, "evidence.zip"))).toBe(true);
    const policy = policyFromVkeys(keys);
    if (!policy.ok) throw new Error(policy.message);
    const report = await verifyBundle(new Uint8Array(readFileSync(join(out, "evidence.zip"))), policy.value);
    expect(report.verdict, JSON.stringify(report.checks)).toBe("verified");
  });

  it("a busy port is refused with what to do, before anything starts", async () => {
    const { server, port } = await listening();
    try {
      const r = await demo(["--once", "--port", String(port), "--out", mkdtempSync(join(tmpdir(), "ww-demo-"))]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
      expect(r.stderr).toContain("--port");
    } finally {
      server.close();
    }
  });

  it("a bad flag is refused with the usage", async () => {
    const r = await demo(["--mb", "lots"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--mb "lots" is not a size/);
  });
});
