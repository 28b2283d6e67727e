import type { z } from "zod";

/**
 * One line per problem, `--flag: what is wrong`, from a zod error over an object whose keys are the
 * flags' option names (camelCase → --kebab-case). Never echoes a value: a flag may hold a secret.
 */
export function describeFlagIssues(error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const key = issue.path.find((p): p is string => typeof p === "string");
    const flag = key ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : "arguments";
    const missing = issue.code === "invalid_type" && issue.input === undefined;
    return `${flag}: ${missing && issue.message.startsWith("Invalid input") ? "is required" : issue.message}`;
  });
  return [...new Set(lines)].join("\n");
}
