import { main as verifierMain } from "@walwarden/verifier/cli";
import { ApiUrl } from "../args/common-args.js";
import { configDir } from "../keys/config-dir.js";
import { keyFilePath, readPinned } from "../keys/key-store.js";
import { usageError, type CliContext } from "./context.js";

/**
 * `walwarden verify …`: walwarden-verify (bundle, manifest, kit) with the same arguments. One addition:
 * `--api URL` stands for `--key` with each key pinned for that API (by `walwarden keys pin` or a restore).
 */
export async function verifyCommand(args: string[], ctx: CliContext): Promise<number> {
  const expanded: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const inline = a.startsWith("--api=") ? a.slice("--api=".length) : undefined;
    if (a !== "--api" && inline === undefined) {
      expanded.push(a);
      continue;
    }
    const raw = inline ?? args[++i];
    const api = ApiUrl.safeParse(raw ?? "");
    if (!api.success) return usageError(ctx.io, "verify", `--api: ${api.error.issues[0]?.message ?? "invalid"}`);
    const dir = configDir(ctx.env);
    const pinned = await readPinned(dir, api.data);
    if (!pinned.ok) return usageError(ctx.io, "verify", pinned.message);
    if (!pinned.value)
      return usageError(
        ctx.io,
        "verify",
        `--api: no keys are pinned for ${api.data} in ${keyFilePath(dir)}; pin them with walwarden keys pin --api ${api.data}, or pass --key`,
      );
    for (const v of [...pinned.value.checkpoint, ...pinned.value.manifest]) expanded.push("--key", v);
  }
  return verifierMain(expanded, { stdout: ctx.io.stdout, stderr: ctx.io.stderr });
}
