import { describe, expect, it } from "vitest";
import { rowCountDifferences } from "./row-count-differences.js";

const rows = (schema: string, name: string, n: number) => ({ schema, name, rows: n });

describe("rowCountDifferences", () => {
  it("is empty when every expected table has its rows", () => {
    expect(
      rowCountDifferences([rows("public", "a", 3), rows("app", "b", 0)], [rows("app", "b", 0), rows("public", "a", 3)]),
    ).toEqual([]);
  });

  it("names a missing table and a table with other rows, in the expected order", () => {
    expect(
      rowCountDifferences(
        [rows("public", "a", 3), rows("app", "b", 5), rows("app", "c", 1)],
        [rows("app", "b", 4), rows("app", "c", 1)],
      ),
    ).toEqual(["public.a is missing (the backup has 3 rows)", "app.b has 4 rows, the backup 5"]);
  });

  it("ignores tables that were counted but not expected, and tells schemas apart", () => {
    expect(
      rowCountDifferences([rows("app", "a", 1)], [rows("app", "a", 1), rows("public", "a", 9), rows("app", "z", 2)]),
    ).toEqual([]);
    expect(rowCountDifferences([rows("app", "a", 1)], [rows("public", "a", 1)])).toEqual([
      "app.a is missing (the backup has 1 rows)",
    ]);
  });
});
