import { describe, expect, it } from "vitest";
import { redactSecrets } from "./redact.js";

describe("redactSecrets", () => {
  it.each([
    // The findings of issue 13, as they were found.
    [
      "postgres://admin:TargetPassw0rd@prod-db/app PGPASSWORD=hunter4",
      "postgres://admin:[redacted]@prod-db/app PGPASSWORD=[redacted]",
    ],
    [
      "could not connect to postgres://app:pa/ss@db:5432/app",
      "could not connect to postgres://app:[redacted]@db:5432/app",
    ],
    ["postgres://app:p@ss@db/app", "postgres://app:[redacted]@db/app"],
    ['{"user": "app", "password": "x"}', '{"user": "app", "password": "[redacted]"}'],
    [
      "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY aws s3 cp",
      "AWS_SECRET_ACCESS_KEY=[redacted] aws s3 cp",
    ],
    [`Authorization: Bearer wwr_${"A".repeat(43)} refused`, "Authorization: Bearer [redacted] refused"],
    [
      "GET /k?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Signature=0123abcd: 403",
      "GET /k?X-Amz-Credential=[redacted]&X-Amz-Date=20260101T000000Z&X-Amz-Signature=[redacted] 403",
    ],
    // And the shapes the earlier redactions handled.
    ["postgresql://u:p%40ss@h/db and mysql://x:y@z", "postgresql://u:[redacted]@h/db and mysql://x:[redacted]@z"],
    ["host=db user=app password=hunter2 dbname=app", "host=db user=app password=[redacted] dbname=app"],
    ["PGPASSWORD='a b c' pg_dump", "PGPASSWORD='[redacted]' pg_dump"],
    ["password = 'it\\'s long' next", "password = '[redacted]' next"],
    [`runner token wwt_${"x".repeat(43)} revoked`, "runner token wwt_[redacted] revoked"],
    ['{\\"clientSecret\\":\\"s3\\\\\\"cret\\",\\"n\\":1}', '{\\"clientSecret\\":\\"[redacted]\\",\\"n\\":1}'],
    ["password='never closed, clipped", "password='[redacted]"],
  ])("%s", (input, output) => {
    expect(redactSecrets(input)).toBe(output);
  });

  it("removes known secrets verbatim, percent-encoded and JSON-escaped, the longest first", () => {
    const out = redactSecrets('a p@ss"word b p%40ss%22word c p@ss\\"word d p@ss', ['p@ss"word', "p@ss"]);
    expect(out).toBe("a [redacted] b [redacted] c [redacted] d [redacted]");
    expect(redactSecrets("ab abc", ["ab", undefined, ""])).toBe("ab abc");
  });

  it("leaves text without credentials alone", () => {
    for (const text of [
      "pg_dump: error: server version: 17.2; pg_dump version: 16.4 (s3://bucket/key)",
      'pg_dump: error: connection to server at "db" (10.0.0.5), port 5432 failed: FATAL:  password authentication failed for user "app"',
      "GET https://s3.example:9000/bucket/key?X-Amz-Date=20260101T000000Z&X-Amz-Expires=900 → 503; mail ops@example.com",
      "host=db port=5432 user=app sslmode=require; the token expired; passed: 3",
    ])
      expect(redactSecrets(text)).toBe(text);
  });

  it("changes nothing more when run twice", () => {
    const once = redactSecrets(`postgres://u:p@ss@h PGPASSWORD=x Bearer abc wwo_${"B".repeat(43)}`);
    expect(redactSecrets(once)).toBe(once);
  });

  it("takes time linear in the text, whatever it holds (a sender cannot make the Worker spin)", () => {
    // Unbounded, the URL rule backtracks over the rest of the text at each of these 16,000 starts: ~20 s.
    for (const text of ["a://b:".repeat(16_000), `password="${"\\".repeat(100_000)}`, "x".repeat(100_000)]) {
      const started = Date.now();
      redactSecrets(text);
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  });
});
