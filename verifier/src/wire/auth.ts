import { z } from "zod";
import { Id } from "../schema/common.js";
import { RoleSchema } from "./resources.js";

// Answers of sign-in and first run (the requests are in resources.ts).

/** A dashboard user as sign-in and first run answer it. */
const SignedInUser = z.strictObject({ id: Id, email: z.email(), role: RoleSchema });

/**
 * Answer to GET /v1/bootstrap (anyone, no session): whether first run is still open, i.e. no admin exists
 * yet, so POST /v1/bootstrap (BootstrapRequestSchema) would create the first org and its admin. The
 * dashboard shows its setup form instead of sign-in while it is.
 */
export const BootstrapStateSchema = z.strictObject({ open: z.boolean() });
/** Whether first run is open. */
export type BootstrapState = z.infer<typeof BootstrapStateSchema>;

/** Answer to POST /v1/bootstrap (201): the new org and its first admin, now signed in. */
export const BootstrapResponseSchema = z.strictObject({
  org: z.strictObject({ id: Id, name: z.string().min(1) }),
  user: SignedInUser.extend({ role: z.literal("admin") }),
});
/** The bootstrap answer. */
export type BootstrapResponse = z.infer<typeof BootstrapResponseSchema>;

/** Answer to POST /v1/auth/login: who signed in (the session is the Set-Cookie). */
export const LoginResponseSchema = z.strictObject({ user: SignedInUser.extend({ orgId: Id }) });
/** The sign-in answer. */
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

/** Who is calling: a signed-in user (with their email) or an org API token. */
export const PrincipalSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("user"), id: Id, orgId: Id, role: RoleSchema, email: z.email() }),
  z.strictObject({ kind: z.literal("token"), id: Id, orgId: Id, role: RoleSchema }),
]);
/** A caller of the dashboard API. */
export type Principal = z.infer<typeof PrincipalSchema>;

/** Answer to GET /v1/auth/me: the caller and their org. */
export const MeSchema = z.strictObject({
  principal: PrincipalSchema,
  org: z.strictObject({ id: Id, name: z.string().min(1) }).nullable(),
});
/** The who-am-I answer. */
export type Me = z.infer<typeof MeSchema>;
