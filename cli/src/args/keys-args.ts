import { err, ok, type Result } from "@walwarden/verifier";
import { z } from "zod";
import { ApiUrl } from "./common-args.js";
import { describeFlagIssues } from "./flag-issues.js";

const KeysArgsSchema = z.strictObject({
  api: z.string({ error: "is required (the Walwarden API URL whose keys to show, pin or forget)" }).pipe(ApiUrl),
  json: z.boolean().default(false),
});

/** A validated `walwarden keys [show|pin|forget]`. */
export interface KeysOptions {
  action: "show" | "pin" | "forget";
  api: string;
  json: boolean;
}

/** Validates `walwarden keys`' action and options. */
export function parseKeysArgs(action: string | undefined, raw: Record<string, unknown>): Result<KeysOptions, "usage"> {
  const a = action ?? "show";
  if (a !== "show" && a !== "pin" && a !== "forget")
    return err("usage", `unknown action ${JSON.stringify(a)}: use show (the default), pin or forget`);
  const parsed = KeysArgsSchema.safeParse(raw);
  if (!parsed.success) return err("usage", describeFlagIssues(parsed.error));
  return ok({ action: a, ...parsed.data });
}
