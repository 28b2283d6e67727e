import type { Env } from "../env.js";
import type { Principal, RunnerPrincipal } from "../auth/principal.js";

/** Hono's typing of this app: bindings plus what the auth middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: { principal: Principal; runner: RunnerPrincipal };
}
