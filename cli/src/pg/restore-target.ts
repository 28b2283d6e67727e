import { pgConnection, type PgConnection } from "@walwarden/postgres";
import { err, ok, type Result } from "@walwarden/verifier";

/**
 * The database to restore into, in the forms the CLI needs: a node-postgres config (preflight, row
 * counts), pg_restore's --dbname argument and PGPASSWORD, and a display form. The password is only in
 * `client` and `passwordEnv`: never on a command line, never printed.
 */
export interface RestoreTarget extends PgConnection {
  /** True if the password came from --target itself (visible to other local users in `ps`). */
  passwordInArgs: boolean;
}

/**
 * The target from --target (a libpq URI or keyword/value string), else libpq's environment and service
 * file (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSERVICE), parsed as the runner parses sources.
 */
export function restoreTarget(target: string | undefined, env: NodeJS.ProcessEnv): Result<RestoreTarget, "bad-target"> {
  const connection = pgConnection(target, env, "walwarden");
  if (!connection.ok) return err("bad-target", connection.message);
  const { password } = connection.value;
  const passwordInArgs = target !== undefined && password !== undefined && password !== env.PGPASSWORD;
  return ok({ ...connection.value, passwordInArgs });
}
