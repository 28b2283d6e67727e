import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { decodeWitnessState, encodeWitnessState, err, ok, type Result, type WitnessState } from "@walwarden/verifier";

/** The witness's state in the state dir (SPEC §13): the newest checkpoint this runner accepted. */
export const WITNESS_STATE_FILE = "witness-state.json";

/**
 * The stored witness state, or null when the runner has never witnessed. A file that does not parse is an
 * error, never a fresh start: forgetting what it accepted would let the log show it another history.
 */
export async function loadWitnessState(stateDir: string): Promise<Result<WitnessState | null, "state-unreadable">> {
  const path = join(stateDir, WITNESS_STATE_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return ok(null);
    return err("state-unreadable", `cannot read the witness state ${path}: ${code}`);
  }
  const state = decodeWitnessState(text);
  return state.ok
    ? ok(state.value)
    : err(
        "state-unreadable",
        `${path} is not a witness state (${state.message}): restore it from a backup of the state dir`,
      );
}

/**
 * Stores the witness state atomically: a temp file written and synced, renamed over the name, and the
 * directory synced, so a crash leaves the old state or the new one and a restart remembers what was
 * cosigned (the state is stored before the cosignature leaves the runner).
 */
export async function saveWitnessState(
  stateDir: string,
  state: WitnessState,
): Promise<Result<void, "state-unwritable">> {
  const saved = await writeStateFile(stateDir, WITNESS_STATE_FILE, `${encodeWitnessState(state)}\n`);
  return saved.ok ? saved : err("state-unwritable", `cannot write the witness state ${saved.message}`);
}

/**
 * Writes `name` in the state dir atomically (temp file written and synced, renamed over the name, the
 * directory synced): a crash leaves the old content or the new one. The error names the path and why.
 */
export async function writeStateFile(
  stateDir: string,
  name: string,
  text: string,
): Promise<Result<void, "unwritable">> {
  const path = join(stateDir, name);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(stateDir, { recursive: true });
    const fh = await open(tmp, "w", 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    const dir = await open(stateDir, "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return ok(undefined);
  } catch (e) {
    // Best effort: the error to report is the write's, not the cleanup's.
    await rm(tmp, { force: true }).catch(() => undefined);
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    return err("unwritable", `${path}: ${why}`);
  }
}
