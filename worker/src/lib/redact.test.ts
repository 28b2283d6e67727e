import { describe, expect, it } from "vitest";
import { redactSecrets } from "./redact.js";

describe("redactSecrets", () => {
  it.each([
    [
      "could not connect to postgres://app:hunter2@db.example.com:5432/app",
      "could not connect to postgres://app:[redacted]@db.example.com:5432/app",
    ],
    ["postgresql://u:p%40ss@h/db and mysql://x:y@z", "postgresql://u:[redacted]@h/db and mysql://x:[redacted]@z"],
    ["host=db user=app password=hunter2 dbname=app", "host=db user=app password=[redacted] dbname=app"],
    ["PGPASSWORD='a b c' pg_dump", "PGPASSWORD=[redacted] pg_dump"],
    ['password: "s3cret", next', "password: [redacted], next"],
  ])("%s", (input, output) => {
    expect(redactSecrets(input)).toBe(output);
  });

  it("leaves text without credentials alone", () => {
    const text = "pg_dump: error: server version: 17.2; pg_dump version: 16.4 (s3://bucket/key)";
    expect(redactSecrets(text)).toBe(text);
  });
});
