import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { err, ok, type Result } from "@walwarden/verifier";
import type { ClientConfig } from "pg";

/**
 * How to reach one database, in the two forms Walwarden needs: a node-postgres client config (row counts,
 * schema fingerprint, snapshot, preflight) and a client program's --dbname argument and environment
 * (pg_dump, pg_restore). The password never goes on a command line (any local user can read that with
 * ps): it goes in PGPASSWORD.
 */
export interface PgConnection {
  client: ClientConfig;
  /** `--dbname=<conninfo>`: everything but the password. */
  dbnameArg: string;
  /** PGPASSWORD for a client program, if there is a password. */
  passwordEnv: Record<string, string>;
  /** user@host:port/dbname, for messages (never the password). */
  display: string;
  /** The password, to redact from anything printed or reported. */
  password: string | undefined;
}

type Params = Record<string, string>;

/**
 * Parses a connection string (a libpq URI or keyword/value string), else libpq's environment and service
 * file (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE, PGSERVICE), as pg_dump would read them.
 * The client connects as `applicationName`; `dbname` replaces the string's database (a drill's scratch
 * database on a server). A bad string is an error that does not echo it.
 */
export function pgConnection(
  url: string | undefined,
  env: NodeJS.ProcessEnv,
  applicationName: string,
  dbname?: string,
): Result<PgConnection, "bad-connection"> {
  let params: Params;
  if (url) {
    const parsed =
      url.startsWith("postgres://") || url.startsWith("postgresql://") ? uriParams(url) : keywordParams(url);
    if (!parsed.ok) return parsed;
    params = parsed.value;
  } else params = {};
  const service = params.service ?? env.PGSERVICE;
  if (service) {
    const fromService = serviceParams(service, env);
    if (!fromService.ok) return fromService;
    params = { ...fromService.value, ...params };
    delete params.service;
  }
  // libpq's environment fills what the URL and service leave out, as it does for pg_dump.
  const fromEnv: [string, string | undefined][] = [
    ["host", env.PGHOST],
    ["port", env.PGPORT],
    ["dbname", env.PGDATABASE],
    ["user", env.PGUSER],
    ["password", env.PGPASSWORD],
    ["sslmode", env.PGSSLMODE],
  ];
  for (const [k, v] of fromEnv) if (v && params[k] === undefined) params[k] = v;
  if (dbname !== undefined) params.dbname = dbname;
  const { password, ...rest } = params;
  // Everything is in the conninfo, so a PGSERVICE in the caller's environment cannot re-point the program (libpqChildEnv drops it).
  const conninfo = Object.entries(rest)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(" ");
  const port = rest.port ? Number(rest.port) : 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return err("bad-connection", `the port ${JSON.stringify(rest.port)} is not a TCP port`);
  const ssl = sslOf(rest.sslmode);
  const client: ClientConfig = {
    host: rest.host ?? "localhost",
    port,
    database: rest.dbname ?? rest.user ?? "postgres",
    ...(rest.user ? { user: rest.user } : {}),
    ...(password ? { password } : {}),
    ...(ssl !== undefined ? { ssl } : {}),
    application_name: applicationName,
  };
  const passwordEnv: Record<string, string> = password ? { PGPASSWORD: password } : {};
  return ok({
    client,
    dbnameArg: `--dbname=${conninfo}`,
    passwordEnv,
    display: `${rest.user ?? "(default user)"}@${client.host}:${port}/${client.database}`,
    password,
  });
}

/** A client program's environment: ours, without a PGSERVICE or PGPASSWORD that could re-point or re-authenticate it, plus the connection's password. */
export function libpqChildEnv(
  connection: Pick<PgConnection, "passwordEnv">,
  env: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = { ...env };
  delete child.PGSERVICE;
  delete child.PGPASSWORD;
  return { ...child, ...connection.passwordEnv };
}

function uriParams(url: string): Result<Params, "bad-connection"> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return err("bad-connection", "the connection URL is not a valid postgres:// URI");
  }
  const p: Params = {};
  if (u.hostname) p.host = decodeURIComponent(u.hostname.replace(/^\[|\]$/g, ""));
  if (u.port) p.port = u.port;
  if (u.username) p.user = decodeURIComponent(u.username);
  if (u.password) p.password = decodeURIComponent(u.password);
  const db = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (db) p.dbname = db;
  for (const [k, v] of u.searchParams) p[k] = v;
  return ok(p);
}

/** libpq keyword/value form: `host=db.example port=5432 dbname='my db' user=backup`. */
function keywordParams(s: string): Result<Params, "bad-connection"> {
  const p: Params = {};
  const re = /\s*([A-Za-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/y;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < s.length && (m = re.exec(s))) {
    p[m[1]!] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!;
    at = re.lastIndex;
  }
  if (s.slice(at).trim() !== "")
    return err("bad-connection", "the connection string is neither a postgres:// URI nor libpq keyword=value pairs");
  return ok(p);
}

/** Reads a [service] section of the libpq service file (PGSERVICEFILE, ~/.pg_service.conf, then PGSYSCONFDIR/pg_service.conf). */
function serviceParams(service: string, env: NodeJS.ProcessEnv): Result<Params, "bad-connection"> {
  const files = [
    env.PGSERVICEFILE,
    join(homedir(), ".pg_service.conf"),
    join(env.PGSYSCONFDIR ?? "/etc/postgresql-common", "pg_service.conf"),
  ].filter((f): f is string => !!f);
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    let inSection = false;
    const p: Params = {};
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (!line || line.startsWith("#")) continue;
      const section = /^\[(.+)\]$/.exec(line);
      if (section) {
        if (inSection) break;
        inSection = section[1] === service;
        continue;
      }
      const kv = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(line);
      if (inSection && kv) p[kv[1]!] = kv[2]!;
    }
    if (inSection || Object.keys(p).length) return ok(p);
  }
  return err("bad-connection", `the libpq service ${JSON.stringify(service)} is in none of ${files.join(", ")}`);
}

function quote(v: string): string {
  return /^[^\s'\\]+$/.test(v) ? v : `'${v.replace(/(['\\])/g, "\\$1")}'`;
}

function sslOf(mode: string | undefined): ClientConfig["ssl"] {
  switch (mode) {
    case undefined:
    case "disable":
    case "allow":
    case "prefer":
      return undefined;
    case "require":
      return { rejectUnauthorized: false };
    default:
      return { rejectUnauthorized: true };
  }
}
