import type { ClientBase } from "pg";

/** Roles whose presence names the platform, or whose membership changes the advice. */
export const ROLES_OF_INTEREST = [
  "neon_superuser",
  "rds_superuser",
  "supabase_admin",
  "authenticator",
  "pg_read_all_data",
] as const;

/** The role pg_dump will run as, with what decides what it may read. */
export interface BackupRole {
  name: string;
  /** The name as an SQL identifier (quote_ident), for the statements the advice prints. */
  quoted: string;
  superuser: boolean;
  /** The role's own BYPASSRLS: the attribute is not inherited through membership, so only this counts. */
  bypassRls: boolean;
  /** server_version_num, e.g. 150010 (pg_read_all_data exists from 140000). */
  serverVersionNum: number;
  /** Which of ROLES_OF_INTEREST exist on the server. */
  present: string[];
  /** Which of ROLES_OF_INTEREST this role is a member of, directly or not. */
  memberOf: string[];
}

const SQL = `SELECT current_user::text AS name, quote_ident(current_user) AS quoted, r.rolsuper AS superuser,
    r.rolbypassrls AS bypass_rls, current_setting('server_version_num')::int AS version_num,
    ARRAY(SELECT p.rolname::text FROM pg_roles p WHERE p.rolname = ANY ($1::text[]) ORDER BY 1) AS present,
    ARRAY(SELECT p.rolname::text FROM pg_roles p WHERE p.rolname = ANY ($1::text[])
      AND pg_has_role(current_user, p.oid, 'MEMBER') ORDER BY 1) AS member_of
  FROM pg_roles r WHERE r.rolname = current_user`;

/** Reads the current role's attributes and the platform roles around it. */
export async function readBackupRole(client: ClientBase): Promise<BackupRole> {
  const r = (
    await client.query<{
      name: string;
      quoted: string;
      superuser: boolean;
      bypass_rls: boolean;
      version_num: number;
      present: string[];
      member_of: string[];
    }>(SQL, [ROLES_OF_INTEREST])
  ).rows[0]!;
  return {
    name: r.name,
    quoted: r.quoted,
    superuser: r.superuser,
    bypassRls: r.bypass_rls,
    serverVersionNum: r.version_num,
    present: r.present,
    memberOf: r.member_of,
  };
}
