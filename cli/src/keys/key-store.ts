import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { err, ok, type Result } from "@walwarden/verifier";
import { z } from "zod";

/** The keys pinned for one API: its log origin prefix and verifier keys by role, as published when pinned. */
export const PinnedKeysSchema = z.strictObject({
  origin: z.string().min(1),
  checkpoint: z.array(z.string().min(1)).min(1),
  manifest: z.array(z.string().min(1)).min(1),
  pinnedAt: z.string(),
});
/** The keys pinned for one API. */
export type PinnedKeys = z.infer<typeof PinnedKeysSchema>;

/** keys.json: `{"v": 1, "apis": {"<API URL>": PinnedKeys}}`. */
const KeyFileSchema = z.strictObject({ v: z.literal(1), apis: z.record(z.string(), PinnedKeysSchema) });
type KeyFile = z.infer<typeof KeyFileSchema>;

/** The file that holds the pinned keys, in the config directory. */
export function keyFilePath(dir: string): string {
  return join(dir, "keys.json");
}

/** Every API's pinned keys (none if the file does not exist yet). */
export async function readPins(dir: string): Promise<Result<Record<string, PinnedKeys>, "unreadable">> {
  const path = keyFilePath(dir);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return ok({});
    return err(
      "unreadable",
      `cannot read the pinned keys in ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return err(
      "unreadable",
      `${path} is not valid JSON: fix it, or delete it to pin the published keys again on next use`,
    );
  }
  const file = KeyFileSchema.safeParse(parsed);
  if (!file.success)
    return err(
      "unreadable",
      `${path} is not a Walwarden key file (${file.error.issues[0]?.message ?? "invalid"}): fix it, or delete it to pin the published keys again on next use`,
    );
  return ok(file.data.apis);
}

/** The keys pinned for one API, or undefined. */
export async function readPinned(dir: string, api: string): Promise<Result<PinnedKeys | undefined, "unreadable">> {
  const all = await readPins(dir);
  return all.ok ? ok(all.value[api]) : all;
}

/** Pins (or, with undefined, forgets) one API's keys; the file is replaced atomically. */
export async function writePinned(
  dir: string,
  api: string,
  keys: PinnedKeys | undefined,
): Promise<Result<void, "unreadable" | "unwritable">> {
  const all = await readPins(dir);
  if (!all.ok) return all;
  const apis = { ...all.value };
  if (keys) apis[api] = keys;
  else delete apis[api];
  const file: KeyFile = { v: 1, apis };
  const path = keyFilePath(dir);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o644 });
    await rename(tmp, path);
    return ok(undefined);
  } catch (e) {
    return err(
      "unwritable",
      `cannot save the pinned keys in ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (set WALWARDEN_CONFIG_DIR to a writable directory)`,
    );
  }
}
