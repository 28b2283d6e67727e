import type { DatabaseConfig } from "../../config/schema.js";
import type { BackupRole } from "./backup-role-query.js";

/** The platforms whose roles the advice speaks of; anything else gets plain PostgreSQL advice. */
export type AdviceProvider = "supabase" | "neon" | "rds" | "postgres";

/** Which platform the advice is for, and how we know. */
export interface DetectedProvider {
  provider: AdviceProvider;
  /** "config": the database's `provider` setting; "roles": roles only that platform creates; "none": neither. */
  source: "config" | "roles" | "none";
}

/**
 * The platform from the database's configured `provider` if set, else from the roles the server has:
 * supabase_admin or authenticator (Supabase), neon_superuser (Neon), rds_superuser (RDS and Aurora).
 */
export function detectProvider(configured: DatabaseConfig["provider"], role: BackupRole): DetectedProvider {
  if (configured !== undefined)
    return {
      provider: configured === "supabase" || configured === "neon" || configured === "rds" ? configured : "postgres",
      source: "config",
    };
  const has = (r: string) => role.present.includes(r);
  if (has("supabase_admin") || has("authenticator")) return { provider: "supabase", source: "roles" };
  if (has("neon_superuser")) return { provider: "neon", source: "roles" };
  if (has("rds_superuser")) return { provider: "rds", source: "roles" };
  return { provider: "postgres", source: "none" };
}
