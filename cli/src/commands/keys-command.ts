import { parseKeysArgs } from "../args/keys-args.js";
import { configDir } from "../keys/config-dir.js";
import { describeDiff, diffKeys, sameKeys } from "../keys/key-diff.js";
import { keyFilePath, readPinned, writePinned } from "../keys/key-store.js";
import { fetchPublishedKeys } from "../keys/published-keys.js";
import { usageError, type CliContext } from "./context.js";

/**
 * `walwarden keys [show|pin|forget] --api URL`: show the published and pinned keys side by side (exit 1
 * if they differ or cannot be fetched), pin the published ones deliberately (after an announced
 * rotation), or forget the pin (the next restore pins again on first use).
 */
export async function keysCommand(
  action: string | undefined,
  raw: Record<string, unknown>,
  ctx: CliContext,
): Promise<number> {
  const { io, env } = ctx;
  const parsed = parseKeysArgs(action, raw);
  if (!parsed.ok) return usageError(io, "keys", parsed.message);
  const o = parsed.value;
  const dir = configDir(env);
  const file = keyFilePath(dir);
  const pinned = await readPinned(dir, o.api);
  if (!pinned.ok) return fail(`${pinned.message}`);

  if (o.action === "forget") {
    if (!pinned.value) {
      io.stdout(`No keys were pinned for ${o.api} (${file}).\n`);
      return 0;
    }
    const w = await writePinned(dir, o.api, undefined);
    if (!w.ok) return fail(w.message);
    io.stdout(
      `Forgot the keys pinned for ${o.api} on ${pinned.value.pinnedAt}. The next restore from it pins the keys it publishes then.\n`,
    );
    return 0;
  }

  const published = await fetchPublishedKeys(ctx.fetch ?? fetch, o.api);
  if (o.action === "pin") {
    if (!published.ok) return fail(published.message);
    const before = pinned.value ? diffKeys(pinned.value, published.value) : undefined;
    const w = await writePinned(dir, o.api, { ...published.value, pinnedAt: new Date().toISOString() });
    if (!w.ok) return fail(w.message);
    if (o.json) io.stdout(`${JSON.stringify({ api: o.api, file, pinned: published.value }, null, 2)}\n`);
    else {
      const change = !before ? "first pin" : sameKeys(before) ? "unchanged" : `changed: ${describeDiff(before)}`;
      io.stdout(`Pinned the keys ${o.api} publishes (${change}) in ${file}:\n${listKeys(published.value)}`);
    }
    return 0;
  }

  // show
  const diff = pinned.value && published.ok ? diffKeys(pinned.value, published.value) : undefined;
  if (o.json) {
    io.stdout(
      `${JSON.stringify(
        {
          api: o.api,
          file,
          pinned: pinned.value ?? null,
          published: published.ok ? published.value : null,
          publishedError: published.ok ? null : published.message,
          same: diff ? sameKeys(diff) : null,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout(`${o.api}\n`);
    io.stdout(
      pinned.value
        ? `Pinned on ${pinned.value.pinnedAt} (${file}):\n${listKeys(pinned.value)}`
        : `Nothing pinned (${file}): the first restore pins the published keys, or run walwarden keys pin --api ${o.api}.\n`,
    );
    io.stdout(
      published.ok ? `Published now:\n${listKeys(published.value)}` : `Published now: unknown (${published.message})\n`,
    );
    if (diff)
      io.stdout(
        sameKeys(diff)
          ? "The published keys are the pinned ones.\n"
          : `The published keys differ from the pinned ones: ${describeDiff(diff)}.\nIf this rotation was announced, accept it with: walwarden keys pin --api ${o.api}\n`,
      );
  }
  return published.ok && (!diff || sameKeys(diff)) ? 0 : 1;

  function fail(message: string): number {
    io.stderr(`walwarden keys: ${message}\n`);
    return 1;
  }
}

function listKeys(k: { origin: string; checkpoint: string[]; manifest: string[] }): string {
  return `${[
    `  log origin  ${k.origin}`,
    ...k.checkpoint.map((v) => `  checkpoint  ${v}`),
    ...k.manifest.map((v) => `  manifest    ${v}`),
  ].join("\n")}\n`;
}
