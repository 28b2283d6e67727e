import { describe, expect, it } from "vitest";
import { clip, redact } from "./redact.js";

describe("redact", () => {
  it("removes passwords from URIs and keyword strings, URL queries, tokens and given secrets", () => {
    const t = redact(
      "could not connect to postgres://app:s3cret@db.example:5432/x; host=db password='a b' user=app; GET https://s3.example/b/k?X-Amz-Signature=abc failed; token wwo_" +
        "A".repeat(43) +
        "; hunter22 leaked",
      ["hunter22"],
    );
    expect(t).toContain("postgres://app:***@db.example:5432/x");
    expect(t).toContain("password=*** user=app");
    expect(t).toContain("https://s3.example/b/k?…");
    expect(t).toContain("wwo_***");
    expect(t).toContain("*** leaked");
    expect(t).not.toMatch(/s3cret|a b'|X-Amz-Signature|hunter22|AAAA/);
  });

  it("clips long texts to their end", () => {
    expect(clip(`${"x".repeat(5000)}end`, 100)).toHaveLength(100);
    expect(clip(`${"x".repeat(5000)}end`, 100).endsWith("end")).toBe(true);
    expect(clip("short")).toBe("short");
  });
});
