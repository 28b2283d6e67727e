import { expect, it } from "vitest";
import { matchPath } from "./match-path.js";

it("matches patterns with params, decodes them, and rejects everything else", () => {
  expect(matchPath("/databases", "/databases")).toEqual({});
  expect(matchPath("/databases", "/databases/")).toEqual({});
  expect(matchPath("/databases/:id", "/databases/db_1")).toEqual({ id: "db_1" });
  expect(matchPath("/databases/:id", "/databases/a%20b")).toEqual({ id: "a b" });
  expect(matchPath("/databases/:id", "/databases/%E0%A4%A")).toBeNull();
  expect(matchPath("/databases/:id", "/databases")).toBeNull();
  expect(matchPath("/backups/:id", "/databases/x")).toBeNull();
});
