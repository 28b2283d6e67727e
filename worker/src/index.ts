import { app } from "./app.js";
import type { Env } from "./env.js";
import { runCronTick } from "./scheduling/cron-tick.js";

export { Ledger } from "./ledger/ledger.js";
export { RateLimiter } from "./ratelimit/rate-limiter.js";
export { RestoreSession } from "./restores/restore-session.js";

/** The Worker: the Hono API, and the `* * * * *` cron that queues due backups and expires leases. */
export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(
      runCronTick(env, controller.scheduledTime).then((stats) =>
        console.log(JSON.stringify({ event: "cron.tick", cron: controller.cron, ...stats })),
      ),
    );
  },
} satisfies ExportedHandler<Env>;
