import { Hono } from "hono";
import { KEY_ROLE_SUFFIX, parseVkey } from "@walwarden/verifier";
import { PublishedKeysSchema, type PublishedKeys } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import type { AppEnv } from "../http/app-env.js";
import { reply } from "../http/reply.js";
import { signingKeys } from "../ledger/keys.js";

/** The published keys: current first, then retired ones (still trusted for what they signed), by role. */
export function publishedKeys(env: Env): PublishedKeys {
  const keys = signingKeys(env);
  if (!keys.ok) throw new Error(keys.message);
  const retiredFor = (suffix: string) =>
    keys.value.retired.filter((v) => {
      const parsed = parseVkey(v);
      return parsed.ok && parsed.value.name.endsWith(suffix);
    });
  return {
    origin: env.LOG_ORIGIN,
    checkpoint: [keys.value.checkpoint.vkey, ...retiredFor(KEY_ROLE_SUFFIX.checkpoint)],
    manifest: [keys.value.manifest.vkey, ...retiredFor(KEY_ROLE_SUFFIX.manifest)],
  };
}

/** GET /.well-known/walwarden/keys: public, cacheable for five minutes. */
export const wellKnownRoutes = new Hono<AppEnv>().get("/walwarden/keys", (c) => {
  c.header("cache-control", "public, max-age=300");
  return reply(c, PublishedKeysSchema, publishedKeys(c.env));
});
