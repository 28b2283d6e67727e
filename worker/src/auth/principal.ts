/** A role in an org. viewer reads; operator also runs backups and issues restores; admin manages everything. */
export type Role = "viewer" | "operator" | "admin";
/** The roles, weakest first. */
export const ROLES: readonly Role[] = ["viewer", "operator", "admin"];

/** Who is calling the dashboard API: a signed-in user or an org API token. */
export type Principal =
  | { kind: "user"; id: string; orgId: string; role: Role; email: string }
  | { kind: "token"; id: string; orgId: string; role: Role };

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
