import { ROLES, type Principal, type Role } from "@walwarden/verifier/wire";

// A role and a principal are wire shapes (GET /v1/auth/me answers the principal): RoleSchema, PrincipalSchema.
export { ROLES, type Principal, type Role };

/** A runner calling the runner protocol. */
export interface RunnerPrincipal {
  id: string;
  orgId: string;
}

/** True if `role` is at least `needed`. */
export function hasRole(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The log's actor string for a principal (`user:<id>` or `token:<id>`). */
export function actorOf(p: Principal): string {
  return `${p.kind}:${p.id}`;
}
