import type { DeliveryMessage } from "./alerts/notify.js";
import type { CoreEnv } from "./core-env.js";
import type { Ledger } from "./ledger/ledger.js";
import type { RateLimiter } from "./ratelimit/rate-limiter.js";
import type { RestoreSession } from "./restores/restore-session.js";

// Re-exported so that the Worker's modules keep one place to import their env helpers from.
export { intVar, logOrigin } from "./core-env.js";

/** The Worker's bindings, vars and secrets (wrangler.toml documents each): CoreEnv and the Durable Object namespaces. */
export interface Env extends CoreEnv {
  LEDGER: DurableObjectNamespace<Ledger>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  RESTORE_SESSION: DurableObjectNamespace<RestoreSession>;
  /** Alert deliveries, one message per (notice, channel); consumed by this Worker (alerts/consume.ts). */
  ALERT_QUEUE?: Queue<DeliveryMessage>;
  /** Cloudflare Email Routing's send_email binding, for email channels. */
  ALERT_EMAIL?: SendEmail;
}
