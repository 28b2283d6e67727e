import { expect, it } from "vitest";
import { periodOf } from "./period.js";

it("turns two inclusive UTC days into the API's half-open period", () => {
  expect(periodOf("2026-11-01", "2026-11-30")).toEqual({
    from: "2026-11-01T00:00:00.000Z",
    to: "2026-12-01T00:00:00.000Z",
  });
  expect(periodOf("2026-12-31", "2026-12-31")).toEqual({
    from: "2026-12-31T00:00:00.000Z",
    to: "2027-01-01T00:00:00.000Z",
  });
  expect(periodOf("2028-02-28", "2028-02-28").to).toBe("2028-02-29T00:00:00.000Z");
});
