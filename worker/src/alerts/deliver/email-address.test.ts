import { describe, expect, it } from "vitest";
import { checkEmailAddress, emailDomain } from "./email-address.js";

describe("checkEmailAddress", () => {
  it("accepts plain addresses", () => {
    for (const a of ["ops@example.com", "first.last+alerts@mail.example.co.uk", "o'brien@example.org"]) {
      expect(checkEmailAddress(a), a).toEqual({ ok: true, value: a });
    }
    expect(emailDomain("ops@Example.COM")).toBe("example.com");
  });

  it("refuses display names, line breaks, missing parts and overlong addresses", () => {
    for (const a of [
      "",
      "ops",
      "ops@localhost",
      "@example.com",
      "Ops <ops@example.com>",
      "ops@example.com\r\nBcc: x@evil.example",
      "ops@example.com,x@evil.example",
      "ops @example.com",
      "ops@-example.com",
      `${"a".repeat(250)}@example.com`,
    ]) {
      expect(checkEmailAddress(a), JSON.stringify(a)).toMatchObject({ ok: false, code: "bad-address" });
    }
  });
});
