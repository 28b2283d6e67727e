import type { RlsTable } from "./rls-tables-query.js";
import type { SchemaUsage } from "./schema-usage-query.js";
import type { UnreadableLargeObjects } from "./unreadable-large-objects-query.js";
import type { UnreadableRelation } from "./unreadable-relations-query.js";

/** What would make a backup fail. */
export type FindingKind =
  | "schema-not-usable"
  | "tables-not-readable"
  | "sequences-not-readable"
  | "row-level-security"
  | "forced-row-level-security"
  | "large-objects-not-readable";

/** One thing pg_dump run as the backup role would fail on, per schema (large objects: for the database). */
export interface PrivilegeFinding {
  kind: FindingKind;
  /** The schema (absent for large objects). */
  schema?: string;
  /** The schema as an SQL identifier. */
  quotedSchema?: string;
  /** The objects as SQL names (schema-qualified; large objects: their oids, the first few only). */
  objects: string[];
  /** How many objects (a schema-not-usable finding: the tables and sequences the schema holds). */
  count: number;
}

/** What the preflight read, turned into findings: by schema, each schema's findings in the order pg_dump meets them. */
export function privilegeFindings(read: {
  schemas: SchemaUsage[];
  unreadable: UnreadableRelation[];
  rls: RlsTable[];
  largeObjects: UnreadableLargeObjects;
}): PrivilegeFinding[] {
  const out: PrivilegeFinding[] = [];
  const group = (
    kind: FindingKind,
    items: { schema: string; quotedSchema: string; quotedName: string }[],
  ): Map<string, PrivilegeFinding> => {
    const bySchema = new Map<string, PrivilegeFinding>();
    for (const it of items) {
      let f = bySchema.get(it.schema);
      if (!f) {
        f = { kind, schema: it.schema, quotedSchema: it.quotedSchema, objects: [], count: 0 };
        bySchema.set(it.schema, f);
      }
      f.objects.push(`${it.quotedSchema}.${it.quotedName}`);
      f.count++;
    }
    return bySchema;
  };
  const perSchema = [
    new Map(
      read.schemas
        .filter((s) => !s.usable)
        .map((s): [string, PrivilegeFinding] => [
          s.schema,
          {
            kind: "schema-not-usable",
            schema: s.schema,
            quotedSchema: s.quoted,
            objects: [s.quoted],
            count: s.tables + s.sequences,
          },
        ]),
    ),
    group(
      "tables-not-readable",
      read.unreadable.filter((r) => r.kind === "table"),
    ),
    group(
      "sequences-not-readable",
      read.unreadable.filter((r) => r.kind === "sequence"),
    ),
    group(
      "row-level-security",
      read.rls.filter((t) => !t.ownedButForced),
    ),
    group(
      "forced-row-level-security",
      read.rls.filter((t) => t.ownedButForced),
    ),
  ];
  const schemas = [...new Set(perSchema.flatMap((m) => [...m.keys()]))].sort();
  for (const s of schemas) for (const m of perSchema) if (m.has(s)) out.push(m.get(s)!);
  if (read.largeObjects.count > 0)
    out.push({ kind: "large-objects-not-readable", objects: read.largeObjects.sample, count: read.largeObjects.count });
  return out;
}
