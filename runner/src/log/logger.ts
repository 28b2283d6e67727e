import { redactSecrets } from "@walwarden/verifier";
import { pino, type DestinationStream, type Logger } from "pino";
import { RUNNER_VERSION } from "../version.js";

/** The runner's structured logger: one JSON object per line on stdout (pino), secrets redacted. */
export type RunnerLogger = Logger;

/** Every string in a log record passed through the one redaction (records are small plain objects). */
function redactDeep(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return redactSecrets(value, secrets);
  if (depth > 8 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets, depth + 1));
  if (value instanceof Error)
    return redactDeep({ type: value.name, message: value.message, stack: value.stack }, secrets, depth);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets, depth + 1)]));
}

/**
 * Creates the JSON-lines logger; `destination` defaults to stdout (tests pass a stream). Every string in a
 * record and the message go through the verifier's redactSecrets, with the `secrets` this runner holds
 * (knownSecrets) removed verbatim.
 */
export function createLogger(
  level = process.env.WALWARDEN_LOG_LEVEL ?? "info",
  destination?: NodeJS.WritableStream,
  secrets: readonly string[] = [],
): RunnerLogger {
  return pino(
    {
      level,
      base: { service: "walwarden-runner", version: RUNNER_VERSION },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (record) => redactDeep(record, secrets) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((a) => (typeof a === "string" ? redactSecrets(a, secrets) : a));
          method.apply(this, redacted as Parameters<typeof method>);
        },
      },
      // Belt and braces: nothing should log these, and if something does they never reach the output.
      redact: {
        paths: [
          "token",
          "*.token",
          "url",
          "*.url",
          "password",
          "*.password",
          "secretAccessKey",
          "*.secretAccessKey",
          "headers.authorization",
        ],
        censor: "[redacted]",
      },
    },
    destination as DestinationStream | undefined,
  );
}
