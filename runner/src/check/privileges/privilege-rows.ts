import type { DatabaseConfig } from "../../config/schema.js";
import type { PgTarget } from "../../pg/connection.js";
import type { CheckRow } from "../check-row.js";
import { detectProvider } from "./detect-provider.js";
import { describeFinding } from "./privilege-advice.js";
import { privilegePreflight } from "./privilege-preflight.js";

const NAMES = { supabase: "Supabase", neon: "Neon", rds: "RDS", postgres: "PostgreSQL" } as const;

/**
 * The `privileges <id>` rows of `check`: one summary row, then one FAIL row per finding (what will fail,
 * on which objects, what to grant or exclude, in the platform's terms), each carrying the finding for --json.
 */
export async function privilegeRows(id: string, db: DatabaseConfig, target: PgTarget): Promise<CheckRow[]> {
  const check = `privileges ${id}`;
  const report = await privilegePreflight(target, db);
  if (!report.ok) return [{ check, ok: false, detail: report.message }];
  const { role, schemas, findings } = report.value;
  const provider = detectProvider(db.provider, role);
  const tables = schemas.reduce((n, s) => n + s.tables, 0);
  const sequences = schemas.reduce((n, s) => n + s.sequences, 0);
  const scope = `${plural(tables, "table")} and ${plural(sequences, "sequence")} in ${plural(schemas.length, "schema")}`;
  const advice = `advice for ${NAMES[provider.provider]}${provider.source === "config" ? " (the database's provider setting)" : provider.source === "roles" ? " (from the server's roles)" : ""}`;
  if (findings.length === 0) {
    const rls = role.superuser ? "a superuser" : role.bypassRls ? "BYPASSRLS" : "no row-level security in its way";
    return [{ check, ok: true, detail: `role ${role.quoted} can read the ${scope} a backup dumps (${rls})` }];
  }
  return [
    {
      check,
      ok: false,
      detail: `role ${role.quoted} cannot read everything a backup dumps (${scope}): ${plural(findings.length, "problem")} below would fail every backup; ${advice}`,
    },
    ...findings.map((f) => ({
      check,
      ok: false,
      detail: describeFinding(f, { role, provider, filter: db }),
      finding: f,
    })),
  ];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
