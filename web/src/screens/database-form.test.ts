import { CreateDatabaseRequestSchema, PROVIDERS } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import { databaseProblemsOf, PROVIDER_WORDS } from "./database-form.js";

describe("the database form", () => {
  it("offers the wire's providers, in its order", () => {
    expect(Object.keys(PROVIDER_WORDS)).toEqual([...PROVIDERS]);
  });

  it("puts the schema's issues and the API's refusal at their fields, the name in the form's own words", () => {
    const parsed = CreateDatabaseRequestSchema.safeParse({ name: "  ", provider: "neon" });
    expect(parsed.success).toBe(false);
    expect(databaseProblemsOf(parsed.error!.issues)).toEqual({ name: "a name of 1 to 200 characters, on one line" });
    expect(databaseProblemsOf("invalid body: name: Too small: expected string to have >=1 characters")).toEqual({
      name: "a name of 1 to 200 characters, on one line",
    });
    expect(databaseProblemsOf("invalid body: provider: Invalid option")).toEqual({ provider: "Invalid option" });
    expect(databaseProblemsOf("database not found")).toEqual({ form: "database not found" });
    expect(databaseProblemsOf([{ path: ["extra"], message: "Unrecognized key" }])).toEqual({
      form: "Unrecognized key",
    });
  });
});
