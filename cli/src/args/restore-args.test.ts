// The restore's flags are read without the wire's schemas (the claim waits for them): the token's format is
// the CLI's own regular expression, which must accept exactly the one-time tokens the wire's RestoreSecret does.
import { randomBytes } from "node:crypto";
import { RestoreSecret } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import { parseRestoreArgs, RESTORE_TOKEN } from "./restore-args.js";

const token = () => `wwo_${randomBytes(32).toString("base64url")}`;

describe("RESTORE_TOKEN", () => {
  it("accepts exactly the wwo_ tokens RestoreSecret accepts", () => {
    const samples = [
      ...Array.from({ length: 200 }, token),
      `wwo_${"-".repeat(43)}`,
      `wwo_${"_".repeat(43)}`,
      `wwp_${randomBytes(32).toString("base64url")}`,
      `wwo_${randomBytes(32).toString("base64url")}=`,
      `wwo_${randomBytes(32).toString("base64")}`,
      `wwo_${randomBytes(31).toString("base64url")}`,
      `wwo_${"a".repeat(44)}`,
      `wwo_${"a".repeat(42)}`,
      `WWO_${"a".repeat(43)}`,
      ` wwo_${"a".repeat(43)}`,
      `wwo_${"a".repeat(43)}\n`,
      `wwo_${"a".repeat(42)}é`,
      "wwo_",
      "",
    ];
    for (const t of samples)
      expect(RESTORE_TOKEN.test(t), JSON.stringify(t)).toBe(RestoreSecret.safeParse(t).success && t.startsWith("wwo_"));
  });

  it("is what --token is checked with", () => {
    const base = { org: "org_1", api: "https://api.walwarden.example" };
    expect(parseRestoreArgs({ ...base, token: token() }, {}).ok).toBe(true);
    const bad = parseRestoreArgs({ ...base, token: `wwp_${randomBytes(32).toString("base64url")}` }, {});
    expect(bad).toMatchObject({ ok: false, message: expect.stringContaining("--token: not a restore token") });
  });
});
