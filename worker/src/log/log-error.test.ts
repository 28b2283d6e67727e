import { afterEach, describe, expect, it, vi } from "vitest";
import { logError } from "./log-error.js";

describe("logError", () => {
  afterEach(() => vi.restoreAllMocks());

  it("writes the error's message (or stack) with credentials redacted", () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => lines.push(args.join(" ")));
    const e = new Error("D1_ERROR: postgres://app:leaky-pass@db/app PGPASSWORD=hunter9");
    logError("copy failed", e);
    logError("unhandled error", e, true);
    logError("odd throw", "token=wwt_not-an-error-object");
    expect(lines[0]).toBe("copy failed D1_ERROR: postgres://app:[redacted]@db/app PGPASSWORD=[redacted]");
    expect(lines[1]).toMatch(/^unhandled error Error: D1_ERROR: postgres:\/\/app:\[redacted\]@db\/app .*\n\s+at /s);
    expect(lines[2]).toBe("odd throw token=[redacted]");
    expect(lines.join("\n")).not.toMatch(/leaky-pass|hunter9|not-an-error/);
  });
});
