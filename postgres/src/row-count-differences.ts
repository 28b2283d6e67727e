import type { TableRows } from "./table-row-counts.js";

/**
 * How counted tables differ from the expected ones (a signed manifest's counts): one message per
 * expected table that is missing or holds another number of rows, in the expected order. Tables that
 * were counted but not expected are not differences (a restore may select fewer tables than it finds).
 */
export function rowCountDifferences(expected: readonly TableRows[], counted: readonly TableRows[]): string[] {
  const countedRows = new Map(counted.map((t) => [`${t.schema}.${t.name}`, t.rows]));
  const differences: string[] = [];
  for (const table of expected) {
    const name = `${table.schema}.${table.name}`;
    const rows = countedRows.get(name);
    if (rows === undefined) differences.push(`${name} is missing (the backup has ${table.rows} rows)`);
    else if (rows !== table.rows) differences.push(`${name} has ${rows} rows, the backup ${table.rows}`);
  }
  return differences;
}
