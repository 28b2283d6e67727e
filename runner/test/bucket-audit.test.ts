// The walk-away audit of a bucket the real runner wrote through real parts (verifier/SPEC.md §10 "Witnessed
// kits", §13): the Worker under wrangler dev, s3rver, PostgreSQL and the real walwarden-runner. Two backups,
// each kit's checkpoint witnessed by the runner before the kit is written (cosigned, anchored under
// checkpoints/<runnerId>/, served by the Worker); the prefix copied out of the bucket with the AWS SDK, as
// `aws s3 sync` would, and audited by the built walwarden-verify bucket with the runner's key required. A
// copy without one kit fails; a runner whose witness state says another history refuses the next kit's
// checkpoint loudly, keeps the dump, writes the kit with the refusal beside it, and the audit fails on it.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import {
  cosignerKey,
  decodeWitnessState,
  encodeWitnessState,
  parseVkey,
  verifyCosignatures,
} from "@walwarden/verifier";
import { apiCall, getJob, publishedKeys, requestBackup } from "@walwarden/testing/api";
import {
  addDatabase,
  getObject,
  listKeys,
  ROOT,
  runRunner,
  runnerConfig,
  startParts,
  type Parts,
} from "@walwarden/testing/runner-parts";
import { createSampleDatabase } from "@walwarden/testing/sample-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const VERIFY_BIN = join(ROOT, "verifier/bin/walwarden-verify.js");
const run = promisify(execFile);
let parts: Parts;
let config: { path: string; stateDir: string };
let databaseId: string;
let keyArgs: string[];
let runnerVkey: string;

/** Runs the built walwarden-verify as an auditor runs it. */
async function verify(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [VERIFY_BIN, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

/** Copies every object under the runner's prefix into a fresh directory, as `aws s3 sync s3://<bucket>/walwarden <dir>`. */
async function syncPrefix(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "ww-bucket-copy-"));
  for (const key of await listKeys(parts, "walwarden/")) {
    const file = join(dir, key.slice("walwarden/".length));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, await getObject(parts, key));
  }
  return dir;
}

/** One backup asked for and run by the real runner; its log lines. */
async function backupOnce() {
  const job = await requestBackup(parts.dev, parts.cookie, databaseId);
  const r = await runRunner(["run", "--once", "--config", config.path]);
  expect(r.code, r.stdout.slice(-3000)).toBe(0);
  expect((await getJob(parts.dev, parts.cookie, job.jobId)).status).toBe("succeeded");
  return { job, lines: r.lines };
}

type AuditReport = {
  verdict: string;
  failed?: string;
  checks: { id: string; status: string; detail: string }[];
  kits: { manifest: string; verdict: string; checkpointSize?: string }[];
  chains: { runnerId: string; anchored: string[]; problems: string[] }[];
};

beforeAll(async () => {
  parts = await startParts();
  await createSampleDatabase(parts.pg, "shop");
  databaseId = await addDatabase(parts, "shop");
  config = runnerConfig(parts, { [databaseId]: { url: parts.pg.url("shop") } });
  const keys = await publishedKeys(parts.dev);
  keyArgs = [...keys.checkpoint, ...keys.manifest].flatMap((k) => ["--key", k]);
}, 300_000);
afterAll(async () => parts?.stop());

describe("the walk-away audit of a bucket the real runner wrote", () => {
  it("two witnessed backups: every kit cosigned and anchored, and walwarden-verify bucket --witness verifies the copy", async () => {
    const first = await backupOnce();
    const second = await backupOnce();
    for (const { lines } of [first, second]) {
      expect(lines.find((l) => l.event === "backup.completed")).toMatchObject({ witness: "cosigned" });
      expect(lines.some((l) => l.event === "kit.witnessed")).toBe(true);
      expect(lines.some((l) => l.event === "witness.anchor_failed" || l.event === "kit.unwitnessed")).toBe(false);
    }
    const page = await apiCall<{ items: { id: string; vkey: string | null }[] }>(parts.dev, "GET", "/v1/runners", {
      cookie: parts.cookie,
    });
    runnerVkey = page.items.find((r) => r.id === parts.runner.id)!.vkey!;
    // The Worker serves the kit's cosignature with the kit's checkpoint.
    const witnessed = second.lines.find((l) => l.event === "kit.witnessed")!;
    const key = parseVkey(runnerVkey);
    if (!key.ok) throw new Error(key.message);
    const served = await fetch(`${parts.dev.url}/v1/log/checkpoints/${witnessed.size}`, {
      headers: { cookie: parts.cookie },
    }).then((r) => r.text());
    expect(verifyCosignatures(served, [cosignerKey(key.value.name, key.value.publicKey)], 1)).toMatchObject({
      ok: true,
    });

    const copy = await syncPrefix();
    const r = await verify("bucket", copy, ...keyArgs, "--witness", runnerVkey, "--json");
    expect(r.code, r.stdout.slice(-4000) + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report.kits.map((k) => k.verdict)).toEqual(["verified", "verified"]);
    const chain = report.chains.find((c) => c.runnerId === parts.runner.id)!;
    // The claims' checkpoints and both kits' are anchored, each kit's among them.
    expect(chain.anchored.length).toBeGreaterThanOrEqual(2);
    for (const k of report.kits) expect(chain.anchored).toContain(k.checkpointSize);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ["bucket.files", "pass"],
      ["bucket.kits", "pass"],
      [`bucket.chain.${parts.runner.id}`, "pass"],
      ["bucket.kit-checkpoints", "pass"],
      ["bucket.witness-refusals", "pass"],
      ["bucket.objects", "pass"],
    ]);
    // The kit alone verifies with the runner's key required too.
    const manifest = join(copy, report.kits[1]!.manifest);
    expect((await verify("kit", manifest, ...keyArgs, "--witness", runnerVkey)).code).toBe(0);

    // A copy where one dump lost its kit is not verified, naming the dump.
    const dump = (await listKeys(parts, "walwarden/")).find((k) => k.endsWith(".dump.zst"))!.slice("walwarden/".length);
    rmSync(join(copy, dump.replace(/\.dump\.zst$/, ".manifest.json")));
    const missing = await verify("bucket", copy, ...keyArgs, "--no-artifact");
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(`${dump}: no kit`);
  }, 400_000);

  it("a kit checkpoint that does not extend what the runner accepted is refused loudly: the dump kept, the kit written with the refusal, the audit fails", async () => {
    // The runner's state says it accepted another root at its size: the log's next checkpoints are a split view to it.
    const statePath = join(config.stateDir, "witness-state.json");
    const state = decodeWitnessState(readFileSync(statePath, "utf8"));
    if (!state.ok) throw new Error(state.message);
    writeFileSync(statePath, `${encodeWitnessState({ ...state.value, rootHash: new Uint8Array(32).fill(9) })}\n`);
    const { lines } = await backupOnce();
    const done = lines.find((l) => l.event === "backup.completed")!;
    expect(done).toMatchObject({ witness: "refused" });
    expect(lines.find((l) => l.event === "kit.witness_refused")).toMatchObject({
      level: "error",
      code: "inconsistent",
    });
    const key = String(done.key);
    const objects = await listKeys(parts, key.slice(0, key.lastIndexOf("/") + 1));
    expect(objects).toContain(key);
    const refusal = key.replace(/\.dump\.zst$/, ".witness-refused.json");
    expect(objects).toContain(refusal);
    expect(JSON.parse((await getObject(parts, refusal)).toString("utf8"))).toMatchObject({
      v: 1,
      code: "inconsistent",
      acceptedSize: state.value.size.toString(),
    });
    // The runner's state is untouched by the refusal; the Worker logged it.
    expect(readFileSync(statePath, "utf8")).toContain(Buffer.from(new Uint8Array(32).fill(9)).toString("base64"));
    const refusals = await apiCall<{ entries: string[] }>(parts.dev, "GET", "/v1/log/entries?type=witness.refused", {
      cookie: parts.cookie,
    });
    expect(refusals.entries.map((e) => JSON.parse(e).data.code)).toContain("inconsistent");

    const copy = await syncPrefix();
    const r = await verify("bucket", copy, ...keyArgs, "--json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as AuditReport;
    const status = (id: string) => report.checks.find((c) => c.id === id)?.status;
    expect(status("bucket.witness-refusals")).toBe("fail");
    expect(status("bucket.kit-checkpoints")).toBe("fail");
    // The refused kit itself still verifies without --witness (signed and logged), and fails with it.
    const manifest = join(copy, key.slice("walwarden/".length).replace(/\.dump\.zst$/, ".manifest.json"));
    expect((await verify("kit", manifest, ...keyArgs)).code).toBe(0);
    expect((await verify("kit", manifest, ...keyArgs, "--witness", runnerVkey)).code).toBe(1);
  }, 400_000);
});
