import { pino, type DestinationStream, type Logger } from "pino";
import { RUNNER_VERSION } from "../version.js";

/** The runner's structured logger: one JSON object per line on stdout (pino), secrets redacted by path. */
export type RunnerLogger = Logger;

/** Creates the JSON-lines logger; `destination` defaults to stdout (tests pass a stream). */
export function createLogger(
  level = process.env.WALWARDEN_LOG_LEVEL ?? "info",
  destination?: NodeJS.WritableStream,
): RunnerLogger {
  return pino(
    {
      level,
      base: { service: "walwarden-runner", version: RUNNER_VERSION },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
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
