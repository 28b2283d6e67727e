import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client.js";
import { BUCKET_FIELDS, USER_FIELDS } from "./settings.js";
import { firstProblemAt, problemsOfFailure } from "./use-field-form.js";

describe("a form's problems at their fields", () => {
  it("focuses the first field with a problem in the form's order, not the problems' order", () => {
    expect(firstProblemAt(USER_FIELDS, { role: "Invalid option.", email: "Required." })).toBe("email");
    expect(firstProblemAt(USER_FIELDS, { role: "Invalid option.", password: "Too short." })).toBe("password");
    expect(firstProblemAt(BUCKET_FIELDS, { secretAccessKey: "Required.", region: "Bad." })).toBe("region");
  });

  it("focuses nothing when only the form has a problem, or none", () => {
    expect(firstProblemAt(USER_FIELDS, { form: "Needs the admin role." })).toBeUndefined();
    expect(firstProblemAt(USER_FIELDS, {})).toBeUndefined();
  });

  it("puts an API refusal at its field, a 409 at the conflict's field if the form has one", () => {
    const invalid = new ApiError(400, "bad-request", "invalid body: email: Invalid email address");
    expect(problemsOfFailure(invalid, USER_FIELDS)).toEqual({ email: "Invalid email address." });
    const exists = new ApiError(409, "conflict", "a user with email bob@x.test exists");
    expect(problemsOfFailure(exists, USER_FIELDS, "email")).toEqual({ email: "A user with email bob@x.test exists." });
    expect(problemsOfFailure(exists, USER_FIELDS)).toEqual({ form: "A user with email bob@x.test exists." });
  });

  it("says any other failure (the checks' chunk not loading) at the form, as such", () => {
    expect(problemsOfFailure(new TypeError("Failed to fetch dynamically imported module"), USER_FIELDS)).toEqual({
      form: "Could not check the form: TypeError: Failed to fetch dynamically imported module",
    });
    expect(problemsOfFailure("down", BUCKET_FIELDS)).toEqual({ form: "Could not check the form: down" });
  });
});
