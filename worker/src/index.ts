import { consumeDeliveries, deadLetterDeliveries } from "./alerts/consume.js";
import type { DeliveryMessage } from "./alerts/notify.js";
import { app } from "./app.js";
import type { Env } from "./env.js";
import { runCronTick } from "./scheduling/cron-tick.js";
import { redactSecrets } from "@walwarden/verifier";

export { Ledger } from "./ledger/ledger.js";
export { RateLimiter } from "./ratelimit/rate-limiter.js";
export { RestoreSession } from "./restores/restore-session.js";

/** The Worker: the Hono API, the `* * * * *` cron (backups, drills, leases, alerts), and the alert queues' consumer. */
export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(
      runCronTick(env, controller.scheduledTime).then(
        (stats) => console.log(JSON.stringify({ event: "cron.tick", cron: controller.cron, ...stats })),
        // A tick that throws says so on one line (the next tick starts over: every step is idempotent).
        (e: unknown) =>
          console.log(
            JSON.stringify({
              event: "cron.tick",
              cron: controller.cron,
              error: redactSecrets(e instanceof Error ? e.message : String(e)),
            }),
          ),
      ),
    );
  },
  async queue(batch, env) {
    if (batch.queue.endsWith("-dlq")) await deadLetterDeliveries(batch, env);
    else await consumeDeliveries(batch, env);
  },
} satisfies ExportedHandler<Env, DeliveryMessage>;
