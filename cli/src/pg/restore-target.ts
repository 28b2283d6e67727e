import { err, ok, type Result } from "@walwarden/verifier";
import { pgTarget } from "@walwarden/runner";
import type { ClientConfig } from "pg";

/**
 * The database to restore into, in the forms the CLI needs: a node-postgres config (preflight, row
 * counts), pg_restore's --dbname argument and environment, and a display form. The password is only in
 * `client` and in `env.PGPASSWORD`: never on a command line, never printed.
 */
export interface RestoreTarget {
  client: ClientConfig;
  /** `--dbname=<conninfo without the password>`. */
  dbnameArg: string;
  /** PGPASSWORD for the child, if there is a password. */
  env: Record<string, string>;
  /** user@host:port/dbname. */
  display: string;
  /** The password, to redact from anything printed or reported. */
  password: string | undefined;
  /** True if the password came from --target itself (visible to other local users in `ps`). */
  passwordInArgs: boolean;
}

/**
 * The target from --target (a libpq URI or keyword/value string), else libpq's environment and service
 * file (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSERVICE), parsed as the runner parses sources.
 */
export function restoreTarget(target: string | undefined, env: NodeJS.ProcessEnv): Result<RestoreTarget, "bad-target"> {
  const t = pgTarget({ url: target, schemas: [], excludeSchemas: [], noOwner: true, noPrivileges: true }, env);
  if (!t.ok) return err("bad-target", t.message);
  const password = t.value.dumpEnv.PGPASSWORD;
  const passwordInArgs = target !== undefined && password !== undefined && password !== env.PGPASSWORD;
  return ok({
    client: { ...t.value.client, application_name: "walwarden" },
    dbnameArg: t.value.dumpArgs[0]!,
    env: t.value.dumpEnv,
    display: t.value.display,
    password,
    passwordInArgs,
  });
}

/** A child process's environment for a libpq tool: ours, without a PGSERVICE or PGPASSWORD that could re-point or re-authenticate it, plus the target's password. */
export function libpqChildEnv(target: RestoreTarget, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = { ...env };
  delete child.PGSERVICE;
  delete child.PGPASSWORD;
  return { ...child, ...target.env };
}
