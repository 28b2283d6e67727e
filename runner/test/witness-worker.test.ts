// The runner as its org's witness through real parts (verifier/SPEC.md §13): the Worker under wrangler dev,
// s3rver, PostgreSQL and the real walwarden-runner. On its own, each run of the runner registers its key,
// is handed the log's newest checkpoint with its claim, witnesses it (stored in its state dir first),
// cosigns it and sends the line, which the Worker then serves with that checkpoint; a restarted runner
// continues from the stored state, proving each later checkpoint extends the one it cosigned.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosignerKey, decodeWitnessState, parseVkey, verifyCosignatures } from "@walwarden/verifier";
import { apiCall, requestBackup } from "@walwarden/testing/api";
import { addDatabase, runRunner, runnerConfig, startParts, type Parts } from "@walwarden/testing/runner-parts";
import { createSampleDatabase } from "@walwarden/testing/sample-data";

let parts: Parts;
let config: { path: string; stateDir: string };
let databaseId: string;

beforeAll(async () => {
  parts = await startParts();
  await createSampleDatabase(parts.pg, "shop");
  databaseId = await addDatabase(parts, "shop");
  config = runnerConfig(parts, { [databaseId]: { url: parts.pg.url("shop") } });
  await requestBackup(parts.dev, parts.cookie, databaseId);
}, 300_000);
afterAll(async () => parts?.stop());

/** The size the runner's state dir says it accepted. */
function acceptedSize(): bigint {
  const state = decodeWitnessState(readFileSync(join(config.stateDir, "witness-state.json"), "utf8"));
  if (!state.ok) throw new Error(state.message);
  return state.value.size;
}

/** The runner's registered key as a cosigner key. */
async function runnerWitnessKey() {
  const page = await apiCall<{ items: { id: string; vkey: string | null }[] }>(parts.dev, "GET", "/v1/runners", {
    cookie: parts.cookie,
  });
  const vkey = page.items.find((r) => r.id === parts.runner.id)?.vkey;
  const key = vkey ? parseVkey(vkey) : undefined;
  if (!key?.ok) throw new Error(`runner has no usable vkey: ${vkey}`);
  return cosignerKey(key.value.name, key.value.publicKey);
}

/** The checkpoint the Worker serves at a size, with what witnesses sent for it. */
const checkpointAt = (size: bigint) =>
  fetch(`${parts.dev.url}/v1/log/checkpoints/${size}`, { headers: { cookie: parts.cookie } }).then((r) => r.text());

describe("the real runner witnesses the real Worker's log", () => {
  it("cosigns the checkpoint its claim is handed, and the Worker serves the cosignature with it", async () => {
    const r = await runRunner(["run", "--once", "--config", config.path]);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    const cosigned = r.lines.filter((l) => l.event === "witness.cosigned");
    expect(cosigned.length, r.stdout.slice(-3000)).toBeGreaterThanOrEqual(1);
    expect(r.lines.some((l) => l.event === "witness.refused" || l.event === "witness.failed")).toBe(false);
    const size = acceptedSize();
    expect(String(cosigned.at(-1)!.size)).toBe(size.toString());
    const note = await checkpointAt(size);
    expect(verifyCosignatures(note, [await runnerWitnessKey()], 1)).toMatchObject({ ok: true });
  }, 240_000);

  it("a restarted runner continues from its stored state: the log grew, and it cosigns the larger checkpoint", async () => {
    const before = acceptedSize();
    // The first run cosigned the log as it ended; another backup asked for grows it while the runner is down.
    await requestBackup(parts.dev, parts.cookie, databaseId);
    const r = await runRunner(["run", "--once", "--config", config.path]);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect(r.lines.some((l) => l.event === "witness.refused")).toBe(false);
    const after = acceptedSize();
    expect(after).toBeGreaterThan(before);
    expect(verifyCosignatures(await checkpointAt(after), [await runnerWitnessKey()], 1)).toMatchObject({ ok: true });
    // And the Worker keeps the first one too: each checkpoint keeps the cosignatures sent for it.
    expect(verifyCosignatures(await checkpointAt(before), [await runnerWitnessKey()], 1)).toMatchObject({ ok: true });
  }, 240_000);
});
