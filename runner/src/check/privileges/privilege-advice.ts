import type { SchemaFilter } from "@walwarden/postgres";
import type { BackupRole } from "./backup-role-query.js";
import type { AdviceProvider, DetectedProvider } from "./detect-provider.js";
import type { PrivilegeFinding } from "./privilege-findings.js";

/** What the advice depends on: the role, the platform, and the schema filter (to say how to leave a schema out). */
export interface AdviceContext {
  role: BackupRole;
  provider: DetectedProvider;
  filter: SchemaFilter;
}

const LABEL: Record<AdviceProvider, string> = { supabase: "Supabase", neon: "Neon", rds: "RDS", postgres: "" };
/** Names listed in a line before "and N more". */
const SHOWN = 5;

/** One line: what will fail, on which objects, and what to grant or exclude, in the platform's terms. */
export function describeFinding(f: PrivilegeFinding, ctx: AdviceContext): string {
  const r = ctx.role.quoted;
  const p = ctx.provider.provider;
  const fix = `Fix${LABEL[p] ? ` (${LABEL[p]})` : ""}:`;
  const objects = listed(f.objects, f.count);
  const first = f.objects[0] ?? "";
  switch (f.kind) {
    case "schema-not-usable":
      return `role ${r} has no USAGE on schema ${f.quotedSchema}, which holds ${f.count} table${f.count === 1 ? "" : "s"} or sequence${f.count === 1 ? "" : "s"} a backup reads: pg_dump will fail with 'permission denied for schema ${f.schema}'. ${fix} ${readGrant(`GRANT USAGE ON SCHEMA ${f.quotedSchema} TO ${r};`, "the schema's owner", ctx)}; ${leaveOut(f, ctx)}`;
    case "tables-not-readable":
      return `role ${r} cannot SELECT ${objects}: pg_dump will fail with 'permission denied for table ${bare(first)}'. ${fix} ${readGrant(`GRANT SELECT ON ALL TABLES IN SCHEMA ${f.quotedSchema} TO ${r};`, "the tables' owner", ctx)}; ${leaveOut(f, ctx)}`;
    case "sequences-not-readable":
      return `role ${r} cannot SELECT ${objects} (USAGE is not enough: pg_dump reads each sequence's last value): pg_dump will fail with 'permission denied for sequence ${bare(first)}'. ${fix} ${readGrant(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${f.quotedSchema} TO ${r};`, "the sequences' owner", ctx)}; ${leaveOut(f, ctx)}`;
    case "row-level-security":
      return `row-level security is enabled on ${objects} and role ${r} has no BYPASSRLS of its own (pg_dump exports every row or none): pg_dump will fail with 'query would be affected by row-level security policy for table "${bare(first)}"'. ${fix} ${bypassRls(ctx)}; or back up as the tables' owner; ${leaveOut(f, ctx)}`;
    case "forced-row-level-security":
      return `role ${r} owns ${objects} but FORCE ROW LEVEL SECURITY applies the policies to the owner too: pg_dump will fail with 'query would be affected by row-level security policy for table "${bare(first)}"'. ${fix} ALTER TABLE ${first} NO FORCE ROW LEVEL SECURITY;${f.count > 1 ? " (each table)" : ""} as its owner; or ${bypassRls(ctx)}; ${leaveOut(f, ctx)}`;
    case "large-objects-not-readable":
      return `role ${r} cannot read ${f.count} large object${f.count === 1 ? "" : "s"} (oid ${listed(f.objects, f.count)}): pg_dump will fail with 'permission denied for large object ${first}'. ${fix} GRANT SELECT ON LARGE OBJECT ${first} TO ${r};${f.count > 1 ? " (each one)" : ""} as its owner or a superuser (pg_read_all_data does not cover large objects); or set "schemas" to the schemas to back up (pg_dump leaves large objects out when schemas are listed)`;
  }
}

/** "a, b, c" or "a, b, c, d, e and 7 more". */
function listed(names: string[], total: number): string {
  const shown = names.slice(0, SHOWN);
  const more = total - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

/** The relation's own name, as pg_dump's message prints it (unquoted, unqualified). */
function bare(qualified: string): string {
  const m = /(?:^|\.)("(?:[^"]|"")*"|[^."]+)$/.exec(qualified);
  const name = m?.[1] ?? qualified;
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
}

/** How to leave the finding's schema out of the backup with the runner's own filter. */
function leaveOut(f: PrivilegeFinding, ctx: AdviceContext): string {
  const s = JSON.stringify(f.schema);
  return ctx.filter.schemas.length > 0
    ? `or leave the schema out of the backup: remove ${s} from this database's "schemas"`
    : `or leave the schema out of the backup: add ${s} to this database's "excludeSchemas"`;
}

/** A read grant (USAGE on a schema, SELECT on its tables or sequences), said the way the platform grants it. */
function readGrant(statement: string, owner: string, ctx: AdviceContext): string {
  const r = ctx.role.quoted;
  const readAll = ctx.role.serverVersionNum >= 140000;
  switch (ctx.provider.provider) {
    case "supabase":
      return readAll
        ? `as postgres (the SQL editor), grant pg_read_all_data to ${r}; (every table, view and sequence in every schema, auth and storage included)`
        : `as postgres (the SQL editor), ${statement}`;
    case "neon":
      return `as ${owner} (on Neon, the role that created them, such as <database>_owner): ${statement}`;
    case "rds":
      return readAll
        ? `as the master user (a member of rds_superuser), GRANT pg_read_all_data TO ${r}; (PostgreSQL 14+: every table, sequence and schema) or ${statement}`
        : `as the master user (a member of rds_superuser), ${statement}`;
    case "postgres":
      return readAll
        ? `${statement} as ${owner} or a superuser, or GRANT pg_read_all_data TO ${r}; (PostgreSQL 14+: every table, sequence and schema)`
        : `${statement} as ${owner} or a superuser`;
  }
}

/** How the backup role gets BYPASSRLS on the platform. */
function bypassRls(ctx: AdviceContext): string {
  const r = ctx.role.quoted;
  switch (ctx.provider.provider) {
    case "supabase":
      return "as postgres (the SQL editor), create a role for backups and put it in this database's url: create role backup_reader login password '…' bypassrls; grant pg_read_all_data to backup_reader; alter role backup_reader set default_transaction_read_only = on;";
    case "neon": {
      const member = ctx.role.memberOf.includes("neon_superuser")
        ? ` (${r} is a member of neon_superuser, but BYPASSRLS is not inherited through membership: the role needs it itself)`
        : "";
      return `back up with a role created in the Neon console, CLI or API, such as <database>_owner, not with SQL: those roles belong to neon_superuser and have BYPASSRLS in projects created after 2023-08-15${member}; in an older project, the owner or leaving the schema out remain`;
    }
    case "rds":
      return `as the master user (a member of rds_superuser), ALTER ROLE ${r} BYPASSRLS; (if RDS refuses, back up as the owner or leave the schema out)`;
    case "postgres":
      return `ALTER ROLE ${r} BYPASSRLS; as a superuser`;
  }
}
