import { canonicalize, err, ok, type Result } from "@walwarden/verifier";
import type { ChannelTargetRequest } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { sha256Hex } from "../lib/crypto.js";
import { open, seal } from "../lib/secret-box.js";
import type { ChannelTarget } from "./deliver/send-notice.js";
import { checkOutboundUrl } from "./deliver/outbound-url.js";
import { newWebhookSecret } from "./deliver/standard-webhooks.js";

/** The additional data a channel's sealed target is bound to: it opens for this org and channel only. */
const contextOf = (orgId: string, channelId: string) => `alert-channel:${orgId}:${channelId}`;

/** Whether the Worker lets alert URLs point at loopback (development and tests only). */
export const allowLoopback = (env: Pick<Env, "ALERTS_ALLOW_LOOPBACK">) => env.ALERTS_ALLOW_LOOPBACK === "true";

/** A target ready to store: sealed, its SHA-256 (for the log), a hint (for the API), and a new webhook secret if one was made. */
export interface PreparedTarget {
  sealed: string;
  sha256: string;
  hint: string;
  webhookSecret: string | null;
}

/** What people see of a target: the kind and host, or the addresses' domains. Never a path, token or address. */
function hintOf(t: ChannelTarget, url: URL | undefined): string {
  if (t.kind === "email") {
    const domains = [...new Set(t.to.map((a) => a.slice(a.lastIndexOf("@") + 1).toLowerCase()))];
    return `email to ${t.to.length} address(es) at ${domains.join(", ")}`;
  }
  return `${t.kind === "slack" ? "Slack" : "webhook"} to ${url?.host ?? "?"}`;
}

/**
 * Checks a requested target (the URL rules of checkOutboundUrl), makes a webhook's signing secret, and seals
 * the whole for the channel. A refused URL is a `bad-url` whose message names the rule, not the URL.
 */
export async function prepareTarget(
  env: Env,
  orgId: string,
  channelId: string,
  requested: ChannelTargetRequest,
): Promise<Result<PreparedTarget, "bad-url" | "unavailable">> {
  let target: ChannelTarget;
  let url: URL | undefined;
  if (requested.kind === "email") target = { kind: "email", to: requested.to };
  else {
    const checked = checkOutboundUrl(requested.url, { allowLoopback: allowLoopback(env) });
    if (!checked.ok) return checked;
    url = checked.value;
    target =
      requested.kind === "webhook"
        ? { kind: "webhook", url: url.href, secret: newWebhookSecret() }
        : { kind: "slack", url: url.href };
  }
  const text = canonicalize(target);
  const sealed = await seal(env.BUCKET_CREDENTIALS_KEY, text, contextOf(orgId, channelId));
  if (!sealed.ok) return err("unavailable", `cannot store the channel's target: ${sealed.message}`);
  return ok({
    sealed: sealed.value,
    sha256: await sha256Hex(text),
    hint: hintOf(target, url),
    webhookSecret: target.kind === "webhook" ? target.secret : null,
  });
}

/** Opens a channel's sealed target (the queue consumer, when it delivers). */
export async function openTarget(
  env: Env,
  orgId: string,
  channelId: string,
  sealed: string,
): Promise<Result<ChannelTarget, "unavailable">> {
  const opened = await open(env.BUCKET_CREDENTIALS_KEY, sealed, contextOf(orgId, channelId));
  if (!opened.ok) return err("unavailable", `cannot open the channel's target: ${opened.message}`);
  return ok(JSON.parse(opened.value) as ChannelTarget);
}
