import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { RunnerConfig } from "../config/schema.js";
import { knownSecrets } from "./known-secrets.js";
import { createLogger } from "./logger.js";

/** Logs through a real pino logger into a stream and returns the JSON lines written. */
async function linesOf(write: (log: ReturnType<typeof createLogger>) => void, secrets: string[] = []) {
  const out = new PassThrough();
  let text = "";
  out.on("data", (b: Buffer) => {
    text += b.toString("utf8");
  });
  const log = createLogger("info", out, secrets);
  write(log);
  log.flush();
  await new Promise((done) => setImmediate(done));
  return text;
}

describe("the runner's log lines", () => {
  it("carry no credential, in the message, a field, a nested field or an error", async () => {
    const text = await linesOf(
      (log) => {
        log.warn(
          {
            event: "claim.failed",
            reason: 'pg_dump: connection to postgres://app:pa/ss@db/app failed; {"password":"j1"}',
          },
          "claim failed: Bearer wwr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        );
        log.error({ event: "x", detail: { env: ["AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG"] } }, "nested");
        log.error({ event: "y", err: new Error("PGPASSWORD=hunter4 pg_dump") }, "an error object");
        log.info({ event: "z", note: "the configured password is plain-but-known" }, "known secret");
      },
      ["plain-but-known"],
    );
    for (const leaked of ["pa/ss", '"j1"', "AAAAAAAAAAAAAAAA", "wJalrXUtnFEMI", "hunter4", "plain-but-known"])
      expect(text).not.toContain(leaked);
    expect(text).toContain("postgres://app:[redacted]@db/app");
    expect(text).toContain("PGPASSWORD=[redacted] pg_dump");
    expect(text.trim().split("\n")).toHaveLength(4);
  });

  it("knows the runner's own secrets: its token, each source's connection string and password, the drill server's, the bucket key", () => {
    const config = {
      token: "runner-token-0123456789-0123456789",
      databases: {
        db_a: { url: "postgres://app:url%2Fpass@db/app" },
        db_b: { url: "host=db user=app password='kw pass'" },
      },
      bucket: { secretAccessKey: "bucket-secret", sessionToken: "session-token" },
      drills: { server: "postgres://drill:drill-pass@scratch/postgres" },
    } as unknown as RunnerConfig;
    expect(knownSecrets(config, { PGPASSWORD: "env-pass" }).sort()).toEqual(
      [
        "runner-token-0123456789-0123456789",
        "postgres://app:url%2Fpass@db/app",
        "url/pass",
        "host=db user=app password='kw pass'",
        "kw pass",
        "bucket-secret",
        "session-token",
        "env-pass",
        "postgres://drill:drill-pass@scratch/postgres",
        "drill-pass",
      ].sort(),
    );
  });
});
