import { z } from "zod";
import { Id, Instant } from "../schema/common.js";
import { pageOf } from "./page.js";
import { RoleSchema } from "./resources.js";

// Answers of the org's people and machines: users, API tokens, runners (the requests are in resources.ts).

/** A dashboard user of the org (GET/POST /v1/users, PATCH /v1/users/:id). */
export const UserSchema = z.strictObject({ id: Id, email: z.email(), role: RoleSchema, createdAt: Instant });
/** A user. */
export type User = z.infer<typeof UserSchema>;
/** GET /v1/users. */
export const UserPageSchema = pageOf(UserSchema);
/** A page of users. */
export type UserPage = z.infer<typeof UserPageSchema>;

/** An org API token, without its secret (GET /v1/tokens). */
export const ApiTokenSchema = z.strictObject({
  id: Id,
  name: z.string().min(1),
  role: RoleSchema,
  createdAt: Instant,
  lastUsedAt: Instant.nullable(),
  revokedAt: Instant.nullable(),
});
/** An API token's record. */
export type ApiToken = z.infer<typeof ApiTokenSchema>;
/** GET /v1/tokens. */
export const ApiTokenPageSchema = pageOf(ApiTokenSchema);
/** A page of API tokens. */
export type ApiTokenPage = z.infer<typeof ApiTokenPageSchema>;
/** Answer to POST /v1/tokens (201): the record and the secret (`wwt_…`), shown this once. */
export const CreatedApiTokenSchema = ApiTokenSchema.extend({ token: z.string().regex(/^wwt_[A-Za-z0-9_-]{43}$/) });
/** A new API token with its secret. */
export type CreatedApiToken = z.infer<typeof CreatedApiTokenSchema>;

/** A registered runner (GET /v1/runners): when it was last seen and what version it runs. */
export const RunnerSchema = z.strictObject({
  id: Id,
  name: z.string().min(1),
  createdAt: Instant,
  lastSeenAt: Instant.nullable(),
  version: z.string().nullable(),
  revokedAt: Instant.nullable(),
  /** The runner's registered key (SPEC §11) as a vkey, which signs its drill receipts; null before it registers one. */
  vkey: z.string().nullable(),
  keyRegisteredAt: Instant.nullable(),
});
/** A runner's record. */
export type Runner = z.infer<typeof RunnerSchema>;
/** GET /v1/runners. */
export const RunnerPageSchema = pageOf(RunnerSchema);
/** A page of runners. */
export type RunnerPage = z.infer<typeof RunnerPageSchema>;
/** Answer to POST /v1/runners (201): the record and the runner token (`wwr_…`), shown this once. */
export const CreatedRunnerSchema = RunnerSchema.extend({ token: z.string().regex(/^wwr_[A-Za-z0-9_-]{43}$/) });
/** A new runner with its token. */
export type CreatedRunner = z.infer<typeof CreatedRunnerSchema>;
