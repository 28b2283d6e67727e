// Who is signed in, for every screen: the org, the user and the role (what they may do).
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Me, Role } from "@walwarden/verifier/wire";

/** The signed-in principal, provided by the app shell. */
export const SessionContext = createContext<Me | null>(null);

/** The signed-in principal (screens only render inside a session). */
export function useSession(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error("useSession outside a signed-in session");
  return me;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** True if `role` includes `needed` (admin ⊇ operator ⊇ viewer). */
export function hasRole(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}
