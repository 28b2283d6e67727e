import { alertRoutes } from "./alerts/routes.js";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { ApiError, errorResponse } from "./http/errors.js";
import type { AppEnv } from "./http/app-env.js";
import { authRoutes } from "./routes/auth.js";
import { backupRoutes } from "./routes/backups.js";
import { bootstrapRoutes } from "./routes/bootstrap.js";
import { bucketRoutes } from "./routes/buckets.js";
import { bucketPostureRoutes } from "./routes/bucket-postures.js";
import { databaseRoutes } from "./routes/databases.js";
import { databaseDrillRoutes, drillRoutes } from "./routes/drills.js";
import { databaseRetentionRoutes } from "./routes/retention.js";
import { evidenceRoutes } from "./routes/evidence.js";
import { jobRoutes } from "./routes/jobs.js";
import { logRoutes } from "./routes/log.js";
import { restoreRoutes } from "./routes/restores.js";
import { rpoRoutes } from "./routes/rpo.js";
import { runnerRoutes } from "./routes/runner.js";
import { runnerAdminRoutes } from "./routes/runners.js";
import { scheduleRoutes } from "./routes/schedules.js";
import { tokenRoutes } from "./routes/tokens.js";
import { userRoutes } from "./routes/users.js";
import { verifyRoutes } from "./routes/verify.js";
import { wellKnownRoutes } from "./routes/well-known.js";
import { witnessRoutes } from "./routes/witnesses.js";

/** The API: every route versioned under /v1 and split by domain, plus the published keys. */
export const app = new Hono<AppEnv>()
  .use(secureHeaders())
  .route("/.well-known", wellKnownRoutes)
  .route("/v1/bootstrap", bootstrapRoutes)
  .route("/v1/auth", authRoutes)
  .route("/v1/users", userRoutes)
  .route("/v1/tokens", tokenRoutes)
  .route("/v1/runners", runnerAdminRoutes)
  .route("/v1/databases", databaseRoutes)
  .route("/v1/databases", databaseDrillRoutes)
  .route("/v1/databases", databaseRetentionRoutes)
  .route("/v1/drills", drillRoutes)
  .route("/v1/schedules", scheduleRoutes)
  .route("/v1/backups", backupRoutes)
  .route("/v1/buckets", bucketRoutes)
  .route("/v1/bucket-postures", bucketPostureRoutes)
  .route("/v1/restores", restoreRoutes)
  .route("/v1/jobs", jobRoutes)
  .route("/v1/rpo", rpoRoutes)
  .route("/v1/log", logRoutes)
  .route("/v1/evidence", evidenceRoutes)
  .route("/v1", alertRoutes)
  .route("/v1/witnesses", witnessRoutes)
  .route("/v1/runner", runnerRoutes)
  .route("/v1/verify", verifyRoutes)
  .notFound((c) =>
    errorResponse(new ApiError(404, "not-found", `no route ${c.req.method} ${new URL(c.req.url).pathname}`), c),
  )
  .onError((e, c) => errorResponse(e, c));
